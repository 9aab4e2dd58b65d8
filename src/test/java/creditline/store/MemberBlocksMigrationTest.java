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
 * V8 on a database that already holds usage: each member's credits by day in blocks of 32 days, one
 * starting every 16 days ({@code usage_member_blocks}: per org, block and member, the credits from
 * the block's first day through each of its days), are built from the model breakdown recorded
 * before it, on SQLite (as a WITHOUT ROWID table) and on PostgreSQL; the running totals it
 * replaces are gone.
 */
class MemberBlocksMigrationTest {
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void v8BuildsEachMembersBlocksFromTheUsageAlreadyRecorded(String kind) throws Exception {
        long seed = Seeds.seed("MemberBlocksMigrationTest." + kind);
        SplittableRandom r = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        // (org, block, member) -> credits through each day of the block.
        Map<List<Object>, long[]> expected = new HashMap<>();
        try {
            String url = MigrationTests.migratedUpTo(location, "7");
            try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usage_member_models (org_id, member_id, epoch_day, model_id, events, charged_micros) VALUES (?, ?, ?, ?, ?, ?)"
                            + " ON CONFLICT DO NOTHING")) {
                for (int i = 0; i < 3_000; i++) {
                    String org = "org" + r.nextInt(2);
                    String member = "m" + r.nextInt(8);
                    // Days across several blocks, their first and last days included (20,448 = 1,278 * 16),
                    // and some before 1970 (blocks and days rounded down).
                    long day = r.nextInt(8) == 0 ? -70 + r.nextInt(70) : 20_448 - 40 + r.nextInt(110);
                    long charged = r.nextInt(10) == 0 ? 0 : r.nextLong(5_000_000_000L);
                    ps.setString(1, org);
                    ps.setString(2, member);
                    ps.setLong(3, day);
                    ps.setString(4, "model" + r.nextInt(5));
                    ps.setLong(5, 1 + r.nextInt(40));
                    ps.setLong(6, charged);
                    if (ps.executeUpdate() == 1) {
                        // Block b covers the days 16b to 16b + 31: the day's blocks are floor(day / 16) and the one before.
                        for (long block = Math.floorDiv(day, 16) - 1; block <= Math.floorDiv(day, 16); block++) {
                            long[] through = expected.computeIfAbsent(List.of(org, block, member), k -> new long[32]);
                            for (int k = (int) (day - 16 * block); k < 32; k++) through[k] += charged;
                        }
                    }
                }
            }
            try (Database db = Database.open(location); Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
                Map<List<Object>, long[]> got = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT org_id, block, member_id, " + String.join(", ", Rollups.BLOCK_COLUMNS) + " FROM usage_member_blocks")) {
                    while (rs.next()) {
                        long[] through = new long[32];
                        for (int k = 0; k < 32; k++) through[k] = rs.getLong(4 + k);
                        got.put(List.of(rs.getString(1), rs.getLong(2), rs.getString(3)), through);
                    }
                }
                String replay = Seeds.replay(seed);
                MigrationTests.assertSameRows(got, expected, replay);
                MigrationTests.assertNoTable(c, "usage_member_running", "the running totals V8 replaces");
                MigrationTests.assertWithoutRowidOnSqlite(kind, s, "usage_member_blocks");
            }
        } finally {
            Databases.drop(location);
        }
    }
}
