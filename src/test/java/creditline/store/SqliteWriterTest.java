package creditline.store;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

class SqliteWriterTest extends WriterContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }

    @Override
    void failInserts(Connection tx, String table, String orgId) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.execute("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table + " WHEN NEW.org_id = '" + orgId + "'"
                    + " BEGIN SELECT RAISE(ABORT, 'no room for these rows'); END");
        }
    }
}
