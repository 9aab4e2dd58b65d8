package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import creditline.testing.Seeds;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * V11 on a database that already holds reservations: the index of holds by expiry keeps only the
 * open ones, the reads of an org's open holds use it on both databases, and what they read is
 * what the rows say (open and not expired: counted; settled, released or expired: not).
 */
class OpenHoldsIndexMigrationTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");
    private static final String[] STATUSES = {"PENDING", "SETTLED", "RELEASED"};

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void v11KeepsOnlyOpenHoldsInTheIndexTheOpenHoldReadsUse(String kind) throws Exception {
        long seed = Seeds.seed("OpenHoldsIndexMigrationTest." + kind);
        SplittableRandom r = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        Map<String, long[]> expected = new HashMap<>(); // org|member -> [org's open credits, the member's]
        try {
            String url = MigrationTests.migratedUpTo(location, "10");
            try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("INSERT INTO reservations (org_id,"
                    + " reservation_id, member_id, model_id, activity, amount_micros, status, created_at_micros, expires_at_micros) VALUES (?,?,?,?,?,?,?,?,?)")) {
                for (int i = 0; i < 300; i++) {
                    String org = "org" + r.nextInt(2);
                    String member = "m" + r.nextInt(3);
                    String status = STATUSES[r.nextInt(3)];
                    long amount = 1 + r.nextLong(1_000_000_000L);
                    boolean expired = r.nextInt(4) == 0;
                    long expires = Times.micros(NOW) + (expired ? -1 - r.nextInt(1_000_000) : 1 + r.nextInt(1_000_000));
                    ps.setString(1, org);
                    ps.setString(2, "h" + i);
                    ps.setString(3, member);
                    ps.setString(4, "sonnet");
                    ps.setString(5, "chat");
                    ps.setLong(6, amount);
                    ps.setString(7, status);
                    ps.setLong(8, Times.micros(NOW) - 5_000_000);
                    ps.setLong(9, expires);
                    ps.addBatch();
                    if (status.equals("PENDING") && !expired) {
                        for (String m : new String[] {"m0", "m1", "m2"}) {
                            long[] e = expected.computeIfAbsent(org + "|" + m, k -> new long[2]);
                            e[0] += amount;
                            if (m.equals(member)) e[1] += amount;
                        }
                    }
                }
                ps.executeBatch();
            }
            try (Database db = Database.open(location); Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
                String replay = Seeds.replay(seed);
                for (String org : new String[] {"org0", "org1"}) {
                    for (String m : new String[] {"m0", "m1", "m2"}) {
                        assertThat(Enforcement.reserved(c, org, m, NOW)).as(replay + " " + org + " " + m)
                                .containsExactly(expected.getOrDefault(org + "|" + m, new long[2]));
                    }
                }
                String openHolds = "SELECT SUM(amount_micros) FROM reservations WHERE org_id = 'org0' AND status = 'PENDING' AND expires_at_micros > "
                        + Times.micros(NOW);
                assertThat(plan(kind, s, openHolds)).as("the open holds' read uses the index").contains("reservations_pending");
                assertThat(indexDefinition(kind, s)).as("only open holds are in the index").containsPattern("WHERE \\(?status = 'PENDING'");
                assertThat(indexNames(kind, s)).contains("reservations_pending").doesNotContain("reservations_open");
            }
        } finally {
            Databases.drop(location);
        }
    }

    private static String plan(String kind, Statement s, String query) throws Exception {
        boolean postgres = kind.equals("postgres");
        if (postgres) {
            s.execute("ANALYZE reservations"); // the planner's statistics, as autovacuum keeps them
            s.execute("SET enable_seqscan = off"); // a table this small is cheaper to scan whole: ask which index it would take
        }
        String plan = Plans.of(s.getConnection(), postgres, query);
        if (postgres) s.execute("RESET enable_seqscan");
        return plan;
    }

    /** The index's definition as the database keeps it. */
    private static String indexDefinition(String kind, Statement s) throws Exception {
        String sql = kind.equals("sqlite") ? "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'reservations_pending'"
                : "SELECT pg_get_indexdef('reservations_pending'::regclass)";
        try (ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    private static java.util.List<String> indexNames(String kind, Statement s) throws Exception {
        java.util.List<String> out = new java.util.ArrayList<>();
        String sql = kind.equals("sqlite") ? "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'reservations'"
                : "SELECT indexname FROM pg_indexes WHERE tablename = 'reservations'";
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}
