package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/** For migration tests: a fresh database migrated up to a version, as Database.migrate would (same placeholders). */
final class MigrationTests {
    private MigrationTests() {}

    /** Migrates the database at {@code location} ({@code sqlite:PATH} or a PostgreSQL URL) up to {@code version}; returns its JDBC URL. */
    static String migratedUpTo(String location, String version) {
        boolean sqlite = location.startsWith("sqlite:");
        String url = sqlite ? "jdbc:" + location : location;
        Database.migrations(sqlite ? Database.Dialect.SQLITE : Database.Dialect.POSTGRES).dataSource(url, null, null).target(version).load().migrate();
        return url;
    }

    /** The migrated rows are the expected ones: the same keys, each with the same numbers. */
    static <K> void assertSameRows(Map<K, long[]> got, Map<K, long[]> expected, String replay) {
        assertThat(got.keySet()).as(replay).isEqualTo(expected.keySet());
        for (var e : expected.entrySet()) assertThat(got.get(e.getKey())).as(replay + " " + e.getKey()).containsExactly(e.getValue());
    }

    /** On SQLite, the table keeps its rows in its key's B-tree. */
    static void assertWithoutRowidOnSqlite(String kind, Statement s, String table) throws SQLException {
        if (!kind.equals("sqlite")) return;
        try (ResultSet rs = s.executeQuery("SELECT sql FROM sqlite_master WHERE name = '" + table + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("WITHOUT ROWID");
        }
    }

    /** The table is gone. */
    static void assertNoTable(Connection c, String table, String why) throws SQLException {
        try (ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
            assertThat(rs.next()).as(why).isFalse();
        }
    }
}
