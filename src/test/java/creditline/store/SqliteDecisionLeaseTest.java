package creditline.store;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** On SQLite every write transaction holds the file's write lock: it both fences a lease's taking and holds its renewals. */
class SqliteDecisionLeaseTest extends DecisionLeaseContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }

    @Override
    void beginWriteTransaction(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
    }

    @Override
    void blockRenewals(Connection c) throws SQLException {
        beginWriteTransaction(c);
    }

    @Override
    void end(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        }
    }
}
