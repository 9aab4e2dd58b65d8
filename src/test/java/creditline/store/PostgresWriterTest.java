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
    void failPeriodTotalsOf(Connection tx, String orgId) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.execute("CREATE FUNCTION fail_totals() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no room for these totals'; END $$ LANGUAGE plpgsql");
            s.execute("CREATE TRIGGER fail_totals BEFORE INSERT ON usage_periods FOR EACH ROW WHEN (NEW.org_id = '" + orgId + "')"
                    + " EXECUTE FUNCTION fail_totals()");
        }
    }
}
