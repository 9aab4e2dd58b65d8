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
    void failPeriodTotalsOf(Connection tx, String orgId) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.execute("CREATE TRIGGER fail_totals BEFORE INSERT ON usage_periods WHEN NEW.org_id = '" + orgId + "'"
                    + " BEGIN SELECT RAISE(ABORT, 'no room for these totals'); END");
        }
    }
}
