package creditline.store;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

class PostgresWriterTest extends WriterContract {
    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }

    @Override
    void failInserts(Connection tx, String table, String orgId) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.execute("CREATE FUNCTION fail_" + table + "() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no room for these rows'; END $$ LANGUAGE plpgsql");
            s.execute("CREATE TRIGGER fail_" + table + " BEFORE INSERT ON " + table + " FOR EACH ROW WHEN (NEW.org_id = '" + orgId + "')"
                    + " EXECUTE FUNCTION fail_" + table + "()");
        }
    }
}
