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
 * V6 on a database that already holds usage: each member's totals ({@code usage_member_totals}:
 * first and last day with usage, events and credits so far) are built from the running totals
 * recorded before it, on SQLite (as a WITHOUT ROWID table) and on PostgreSQL.
 */
class MemberTotalsMigrationTest {
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void v6BuildsEachMembersTotalsFromTheRunningTotalsAlreadyRecorded(String kind) throws Exception {
        long seed = Seeds.seed("MemberTotalsMigrationTest." + kind);
        SplittableRandom r = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        // (org, member) -> first day, last day, events, credits.
        Map<List<String>, long[]> expected = new HashMap<>();
        try {
            String url = MigrationTests.migratedUpTo(location, "5");
            try (Connection c = DriverManager.getConnection(url); PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usage_member_running (org_id, member_id, epoch_day, events_running, charged_micros_running) VALUES (?, ?, ?, ?, ?)")) {
                for (String org : List.of("org0", "org1")) {
                    for (int m = 0; m < 5 + r.nextInt(20); m++) {
                        String member = "m" + m;
                        long events = 0;
                        long charged = 0;
                        long first = -1;
                        long day = 20_400 + r.nextInt(10);
                        for (int d = 0; d < 1 + r.nextInt(12); d++) {
                            events += 1 + r.nextInt(40);
                            charged += r.nextLong(5_000_000_000L);
                            ps.setString(1, org);
                            ps.setString(2, member);
                            ps.setLong(3, day);
                            ps.setLong(4, events);
                            ps.setLong(5, charged);
                            ps.addBatch();
                            if (first < 0) first = day;
                            expected.put(List.of(org, member), new long[] {first, day, events, charged});
                            day += 1 + r.nextInt(5);
                        }
                    }
                }
                ps.executeBatch();
            }
            try (Database db = Database.open(location); Connection c = db.readers().getConnection(); Statement s = c.createStatement()) {
                Map<List<String>, long[]> got = new HashMap<>();
                try (ResultSet rs = s.executeQuery("SELECT org_id, member_id, first_day, last_day, events, charged_micros FROM usage_member_totals")) {
                    while (rs.next()) {
                        got.put(List.of(rs.getString(1), rs.getString(2)), new long[] {rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6)});
                    }
                }
                String replay = Seeds.replay(seed);
                MigrationTests.assertSameRows(got, expected, replay);
                MigrationTests.assertWithoutRowidOnSqlite(kind, s, "usage_member_totals");
            }
        } finally {
            Databases.drop(location);
        }
    }
}
