package creditline.store;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

class PostgresDecisionLeaseTest extends DecisionLeaseContract {
    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }

    @Override
    void beginWriteTransaction(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(DecisionLease.WRITER_LOCK_SQL);
        }
    }

    @Override
    void blockRenewals(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("SELECT * FROM decision_lease FOR UPDATE");
        }
    }

    @Override
    void end(Connection c) throws SQLException {
        c.rollback();
        c.setAutoCommit(true);
    }
}
