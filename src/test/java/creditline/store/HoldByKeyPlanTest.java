package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The statements that settle or release one hold find it by its key, whatever the planner's
 * statistics say of the index of open holds: an org with many open holds (here 20,000 abandoned
 * past their expiry) that the statistics, taken when it had none, think absent. Naming {@code
 * status = 'PENDING'}, the index's predicate, made PostgreSQL scan that index for the org's every
 * open hold, a heap fetch each, for every settlement (see {@link Reservations#OPEN}).
 */
class HoldByKeyPlanTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void settleAndReleaseFindTheHoldByItsPrimaryKey(String kind) throws Exception {
        String location = Databases.fresh(kind);
        try (Database db = Database.open(location); Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
            boolean postgres = kind.equals("postgres");
            if (postgres) s.execute("ALTER TABLE reservations SET (autovacuum_enabled = false)"); // the statistics stay as taken below
            insertHolds(c, "settled", 2_000, "SETTLED");
            if (postgres) s.execute("ANALYZE reservations");
            insertHolds(c, "abandoned", 20_000, "PENDING");
            String primaryKey = postgres ? "reservations_pkey" : "sqlite_autoindex_reservations_1";
            long now = Times.micros(NOW);
            String hold = "abandoned7";
            assertThat(Plans.of(c, postgres, BulkWrites.Statement.HOLDS_SETTLED.perRow, "e1", now, "org0", hold, "m0")).contains(primaryKey).doesNotContain("pending");
            assertThat(Plans.of(c, postgres, Reservations.SETTLE_SQL, "e1", now, "org0", hold, "m0", now)).contains(primaryKey).doesNotContain("pending");
            assertThat(Plans.of(c, postgres, Reservations.RELEASE_SQL, now, "org0", hold, now)).contains(primaryKey).doesNotContain("pending");
            String openHolds = "SELECT SUM(amount_micros) FROM reservations WHERE org_id = ? AND status = 'PENDING' AND expires_at_micros > ?";
            assertThat(Plans.of(c, postgres, openHolds, "org0", now)).as("the open holds' read still takes their index").contains("reservations_pending");
        } finally {
            Databases.drop(location);
        }
    }

    private static void insertHolds(Connection c, String prefix, int count, String status) throws Exception {
        long created = Times.micros(NOW) - 3_600_000_000L;
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO reservations (org_id, reservation_id, member_id, model_id, activity,"
                + " amount_micros, status, created_at_micros, expires_at_micros, finished_at_micros) VALUES ('org0',?,'m0','sonnet','chat',1000,?,?,?,?)")) {
            for (int i = 0; i < count; i++) {
                ps.setString(1, prefix + i);
                ps.setString(2, status);
                ps.setLong(3, created);
                ps.setLong(4, created + 600_000_000L);
                if (status.equals("PENDING")) ps.setNull(5, java.sql.Types.BIGINT);
                else ps.setLong(5, created + 1_000_000L);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
