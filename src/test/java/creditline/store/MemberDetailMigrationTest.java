package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import creditline.testing.Seeds;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * V9 on a database that already holds usage: a member's days by model ({@code usage_member_models},
 * which kept events and credits) gain the other five measures, and a member's days by activity
 * and agent ({@code usage_member_activities}) are built, both from the detail rollups recorded
 * before it, which V9 drops; on SQLite (WITHOUT ROWID) and on PostgreSQL.
 */
class MemberDetailMigrationTest {
    private static final int MEASURES = 7;

    private static void add(Map<List<Object>, long[]> sums, List<Object> key, long[] measures) {
        long[] s = sums.computeIfAbsent(key, k -> new long[MEASURES]);
        for (int k = 0; k < MEASURES; k++) s[k] += measures[k];
    }

    private static Map<List<Object>, long[]> read(Statement s, String sql, int keys) throws Exception {
        Map<List<Object>, long[]> out = new HashMap<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                List<Object> key = new java.util.ArrayList<>();
                for (int k = 1; k <= keys; k++) key.add(rs.getObject(k) instanceof Number n ? (Object) n.longValue() : rs.getString(k));
                long[] m = new long[MEASURES];
                for (int k = 0; k < MEASURES; k++) m[k] = rs.getLong(keys + 1 + k);
                out.put(key, m);
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void v9KeepsEveryMembersSumsByModelAndByActivityAndDropsTheDetail(String kind) throws Exception {
        long seed = Seeds.seed("MemberDetailMigrationTest." + kind);
        SplittableRandom r = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        Map<List<Object>, long[]> byModel = new HashMap<>();
        Map<List<Object>, long[]> byActivity = new HashMap<>();
        try {
            String url = MigrationTests.migratedUpTo(location, "8");
            try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO usage_rollups (org_id, member_id, epoch_day, model_id, activity, agent, events, charged_micros, nominal_micros,
                      input_tokens, output_tokens, cache_write_tokens, cache_read_tokens) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING""")) {
                for (int i = 0; i < 3_000; i++) {
                    String org = "org" + r.nextInt(2);
                    String member = "m" + r.nextInt(6);
                    long day = 20_400 + r.nextInt(20);
                    String model = "model" + r.nextInt(4);
                    String activity = "act" + r.nextInt(3);
                    String agent = r.nextInt(3) == 0 ? "" : "agent" + r.nextInt(2);
                    long[] m = new long[MEASURES];
                    m[0] = 1 + r.nextInt(50);
                    for (int k = 1; k < MEASURES; k++) m[k] = r.nextLong(4_000_000_000L);
                    int p = 1;
                    for (Object v : List.of(org, member, day, model, activity, agent)) ps.setObject(p++, v);
                    for (long v : m) ps.setLong(p++, v);
                    if (ps.executeUpdate() == 1) {
                        add(byModel, List.of(org, member, day, model), m);
                        add(byActivity, List.of(org, member, day, activity, agent), m);
                    }
                }
            }
            try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usage_member_models (org_id, member_id, epoch_day, model_id, events, charged_micros) VALUES (?,?,?,?,?,?)")) {
                for (var e : byModel.entrySet()) { // as V5 and the writer kept them: events and credits
                    int p = 1;
                    for (Object v : e.getKey()) ps.setObject(p++, v);
                    ps.setLong(p++, e.getValue()[0]);
                    ps.setLong(p, e.getValue()[1]);
                    ps.executeUpdate();
                }
            }
            try (Database db = Database.open(location); Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
                String replay = Seeds.replay(seed);
                String measures = "events, charged_micros, nominal_micros, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens";
                Map<List<Object>, long[]> gotModels = read(s, "SELECT org_id, member_id, epoch_day, model_id, " + measures + " FROM usage_member_models", 4);
                Map<List<Object>, long[]> gotActivities = read(s,
                        "SELECT org_id, member_id, epoch_day, activity, agent, " + measures + " FROM usage_member_activities", 5);
                MigrationTests.assertSameRows(gotModels, byModel, replay);
                MigrationTests.assertSameRows(gotActivities, byActivity, replay);
                MigrationTests.assertNoTable(c, "usage_rollups", "the detail V9 replaces");
                MigrationTests.assertWithoutRowidOnSqlite(kind, s, "usage_member_activities");
            }
        } finally {
            Databases.drop(location);
        }
    }
}
