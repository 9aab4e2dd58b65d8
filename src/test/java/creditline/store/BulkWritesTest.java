package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import creditline.testing.Seeds;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link BulkWrites} on both databases (PostgreSQL: arrays and one round trip; SQLite: a statement
 * step per row) against a model: seeded random rounds of upserts that add (two tables' together,
 * one statement on PostgreSQL), holds opened,
 * settlements of holds open, settled already, opened in the same round, or unknown (some rounds
 * with more than {@link BulkWrites#PER_ROW_TOGETHER_MAX}, which go as a batch of their own), each
 * with its own event and time, and bucket draws that may name a bucket twice (the later value stays).
 */
class BulkWritesTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    void rowsWrittenTogetherLeaveWhatTheModelSays(String kind) throws SQLException {
        long seed = Seeds.seed("BulkWritesTest." + kind);
        SplittableRandom rnd = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        boolean postgres = kind.equals("postgres");
        try (Database db = Database.open(location); Connection tx = db.openWriterConnection()) {
            Map<String, long[]> periods = new TreeMap<>();   // org|period|member -> events, consumed
            Map<String, String> holds = new HashMap<>();     // org|id -> status/settling event/finished at
            Map<String, Long> buckets = new TreeMap<>();     // org|bucket -> consumed
            Map<String, long[]> totals = new TreeMap<>();    // org|member -> first day, last day, events, charged
            List<String> holdKeys = new ArrayList<>();
            for (int round = 0; round < 40; round++) {
                BulkWrites w = new BulkWrites();
                // Upserts: distinct keys within a statement, as the books give them; large values included;
                // some rounds with a few hundred rows (an ingest batch's spread of members).
                Map<String, long[]> delta = new TreeMap<>();
                boolean many = rnd.nextInt(4) == 0;
                for (int i = many ? 128 + rnd.nextInt(100) : rnd.nextInt(6); i > 0; i--) {
                    String key = "org" + rnd.nextInt(2) + "|2026-1" + rnd.nextInt(2) + "-01|m" + rnd.nextInt(many ? 400 : 4) + "@x.io";
                    long[] d = delta.computeIfAbsent(key, k -> new long[2]);
                    d[0] += 1 + rnd.nextInt(3);
                    d[1] += rnd.nextBoolean() ? rnd.nextLong(1_000_000) : 1L << 40;
                }
                delta.forEach((key, d) -> {
                    String[] k = key.split("\\|");
                    w.add(BulkWrites.Statement.MEMBER_PERIODS, k[0], k[1], k[2], d[0], d[1]);
                    long[] t = periods.computeIfAbsent(key, x -> new long[2]);
                    t[0] += d[0];
                    t[1] += d[1];
                });
                // Member totals in the same batch (on PostgreSQL one statement with the periods): days widen, counts add.
                Map<String, long[]> totalsDelta = new TreeMap<>();
                for (int i = many ? 64 + rnd.nextInt(64) : rnd.nextInt(4); i > 0; i--) {
                    String key = "org" + rnd.nextInt(2) + "|m" + rnd.nextInt(many ? 300 : 4) + "@x.io";
                    long day = 20_000 + rnd.nextInt(60);
                    long[] d = totalsDelta.computeIfAbsent(key, k -> new long[] {day, day, 0, 0});
                    d[0] = Math.min(d[0], day);
                    d[1] = Math.max(d[1], day);
                    d[2] += 1;
                    d[3] += rnd.nextLong(1_000_000);
                }
                totalsDelta.forEach((key, d) -> {
                    String[] k = key.split("\\|");
                    w.add(BulkWrites.Statement.MEMBER_TOTALS, k[0], k[1], d[0], d[1], d[2], d[3]);
                    long[] t = totals.computeIfAbsent(key, x -> new long[] {d[0], d[1], 0, 0});
                    t[0] = Math.min(t[0], d[0]);
                    t[1] = Math.max(t[1], d[1]);
                    t[2] += d[2];
                    t[3] += d[3];
                });
                // Holds opened this round, then settlements: each applies only to a hold open at that moment.
                Map<String, String> statusNow = new HashMap<>(holds);
                boolean manyHolds = rnd.nextInt(5) == 0;
                for (int i = manyHolds ? 70 + rnd.nextInt(80) : rnd.nextInt(4); i > 0; i--) {
                    String org = "org" + rnd.nextInt(2);
                    String id = "h" + holdKeys.size();
                    w.add(BulkWrites.Statement.HOLDS_OPENED, org, id, "m1@x.io", "sonnet", "chat", 1_000L + rnd.nextInt(1_000), "PENDING",
                            1L, 2L);
                    holdKeys.add(org + "|" + id);
                    statusNow.put(org + "|" + id, "PENDING/null/null");
                }
                List<Boolean> expectedApplied = new ArrayList<>();
                List<String> chosen = new ArrayList<>();
                for (int i = manyHolds ? 100 + rnd.nextInt(100) : rnd.nextInt(5); i > 0; i--) {
                    String key = holdKeys.isEmpty() || rnd.nextInt(6) == 0 ? "org0|unknown" + rnd.nextInt(3) : holdKeys.get(rnd.nextInt(holdKeys.size()));
                    if (chosen.contains(key)) continue; // a batch settles a hold once
                    chosen.add(key);
                    String[] k = key.split("\\|");
                    String event = "event-" + round + "-" + i;
                    long at = 1_000L * round + i;
                    w.add(BulkWrites.Statement.HOLDS_SETTLED, event, at, k[0], k[1], "m1@x.io");
                    boolean open = statusNow.getOrDefault(key, "").startsWith("PENDING/");
                    expectedApplied.add(open);
                    if (open) statusNow.put(key, "SETTLED/" + event + "/" + at);
                }
                // Bucket draws: rows made first (plain SQL), then the consumed credits set; one bucket may be drawn twice.
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    String org = "org" + rnd.nextInt(2);
                    String bucket = "b" + rnd.nextInt(3);
                    if (!buckets.containsKey(org + "|" + bucket)) createBucket(tx, org, bucket);
                    long consumed = rnd.nextLong(1L << 42);
                    w.add(BulkWrites.Statement.BUCKETS_DRAWN, consumed, org, bucket);
                    buckets.put(org + "|" + bucket, consumed);
                }

                w.write(tx, postgres);
                if (postgres) tx.commit();
                holds.clear();
                holds.putAll(statusNow);

                boolean[] applied = w.applied(BulkWrites.Statement.HOLDS_SETTLED);
                List<Boolean> actual = new ArrayList<>();
                for (boolean a : applied) actual.add(a);
                assertThat(actual).as("round %d, %s", round, Seeds.replay(seed)).isEqualTo(expectedApplied);
                assertThat(memberPeriods(tx)).as("round %d, %s", round, Seeds.replay(seed)).isEqualTo(asText(periods));
                assertThat(holdStatuses(tx)).as("round %d, %s", round, Seeds.replay(seed)).isEqualTo(new TreeMap<>(holds));
                assertThat(memberTotals(tx)).as("round %d, %s", round, Seeds.replay(seed)).isEqualTo(asText(totals));
                assertThat(bucketsConsumed(tx)).as("round %d, %s", round, Seeds.replay(seed)).isEqualTo(buckets);
                if (postgres) tx.commit();
            }
        } finally {
            Databases.drop(location);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sqlite", "postgres"})
    void nothingAddedWritesNothingAndRowsAreWrittenOnce(String kind) throws SQLException {
        String location = Databases.fresh(kind);
        try (Database db = Database.open(location); Connection tx = db.openWriterConnection()) {
            BulkWrites w = new BulkWrites();
            w.write(tx, kind.equals("postgres"));
            assertThat(w.applied(BulkWrites.Statement.HOLDS_SETTLED)).isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> w.add(BulkWrites.Statement.MEMBER_PERIODS, "o", "2026-11-01", "m", 1L, 1L))
                    .isInstanceOf(IllegalStateException.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BulkWrites().add(BulkWrites.Statement.MEMBER_PERIODS, "o"))
                    .hasMessageContaining("takes 5 values");
        } finally {
            Databases.drop(location);
        }
    }

    private static Map<String, String> asText(Map<String, long[]> values) {
        Map<String, String> out = new TreeMap<>();
        values.forEach((k, v) -> out.put(k, java.util.Arrays.stream(v).mapToObj(Long::toString).collect(java.util.stream.Collectors.joining("/"))));
        return out;
    }

    private static Map<String, String> memberTotals(Connection tx) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Statement s = tx.createStatement();
             ResultSet rs = s.executeQuery("SELECT org_id, member_id, first_day, last_day, events, charged_micros FROM usage_member_totals")) {
            while (rs.next()) {
                out.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3) + "/" + rs.getLong(4) + "/" + rs.getLong(5) + "/" + rs.getLong(6));
            }
        }
        return out;
    }

    private static Map<String, String> memberPeriods(Connection tx) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Statement s = tx.createStatement();
             ResultSet rs = s.executeQuery("SELECT org_id, period_start, member_id, events, consumed_micros FROM member_periods")) {
            while (rs.next()) out.put(rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3), rs.getLong(4) + "/" + rs.getLong(5));
        }
        return out;
    }

    private static Map<String, String> holdStatuses(Connection tx) throws SQLException {
        Map<String, String> out = new TreeMap<>();
        try (Statement s = tx.createStatement();
             ResultSet rs = s.executeQuery("SELECT org_id, reservation_id, status, settled_event_id, finished_at_micros FROM reservations")) {
            while (rs.next()) out.put(rs.getString(1) + "|" + rs.getString(2), rs.getString(3) + "/" + rs.getString(4) + "/" + rs.getString(5));
        }
        return out;
    }

    private static void createBucket(Connection tx, String org, String bucket) throws SQLException {
        try (Statement s = tx.createStatement()) {
            s.executeUpdate("INSERT INTO credit_buckets (org_id, bucket_id, kind, credits_micros, consumed_micros, reason, created_at_micros)"
                    + " VALUES ('" + org + "', '" + bucket + "', 'GRANT', " + (1L << 50) + ", 0, 'test', 1)");
        }
    }

    private static Map<String, Long> bucketsConsumed(Connection tx) throws SQLException {
        Map<String, Long> out = new TreeMap<>();
        try (Statement s = tx.createStatement(); ResultSet rs = s.executeQuery("SELECT org_id, bucket_id, consumed_micros FROM credit_buckets")) {
            while (rs.next()) out.put(rs.getString(1) + "|" + rs.getString(2), rs.getLong(3));
        }
        return out;
    }
}
