package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import creditline.testing.Seeds;
import java.sql.Connection;
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
 * V5 on a database that already holds usage: the member table's model breakdown
 * ({@code usage_member_models}) is built from the detail rollups recorded before it, cell for
 * cell, on SQLite (as a WITHOUT ROWID table) and on PostgreSQL.
 */
class MemberModelsMigrationTest {
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void v5BuildsTheBreakdownFromTheRollupsAlreadyRecorded(String kind) throws Exception {
        long seed = Seeds.seed("MemberModelsMigrationTest." + kind);
        SplittableRandom r = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        try {
            String url = MigrationTests.migratedUpTo(location, "4");
            Map<List<Object>, long[]> expected = new HashMap<>();
            try (Connection c = java.sql.DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO usage_rollups (org_id, member_id, epoch_day, model_id, activity, agent, events, charged_micros, nominal_micros,
                      input_tokens, output_tokens, cache_write_tokens, cache_read_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0)
                    ON CONFLICT DO NOTHING""")) {
                for (int i = 0; i < 2_000; i++) {
                    String org = "org" + r.nextInt(2);
                    String member = "m" + r.nextInt(6);
                    long day = 20_400 + r.nextInt(20);
                    String model = "model" + r.nextInt(4);
                    String activity = "a" + r.nextInt(3);
                    String agent = r.nextBoolean() ? "" : "agent" + r.nextInt(2);
                    long events = 1 + r.nextInt(50);
                    long charged = r.nextLong(10_000_000);
                    ps.setString(1, org);
                    ps.setString(2, member);
                    ps.setLong(3, day);
                    ps.setString(4, model);
                    ps.setString(5, activity);
                    ps.setString(6, agent);
                    ps.setLong(7, events);
                    ps.setLong(8, charged);
                    if (ps.executeUpdate() == 1) {
                        long[] sum = expected.computeIfAbsent(List.of(org, member, day, model), k -> new long[2]);
                        sum[0] += events;
                        sum[1] += charged;
                    }
                }
            }
            try (Database db = Database.open(location); Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
                Map<List<Object>, long[]> got = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT org_id, member_id, epoch_day, model_id, events, charged_micros FROM usage_member_models")) {
                    while (rs.next()) got.put(List.of(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)), new long[] {rs.getLong(5), rs.getLong(6)});
                }
                MigrationTests.assertSameRows(got, expected, Seeds.replay(seed));
                MigrationTests.assertWithoutRowidOnSqlite(kind, s, "usage_member_models");
                if (kind.equals("sqlite")) {
                    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master WHERE name = 'usage_rollups_models'")) {
                        rs.next();
                        assertThat(rs.getLong(1)).as("the index V5 replaces").isZero();
                    }
                }
            }
        } finally {
            Databases.drop(location);
        }
    }
}
