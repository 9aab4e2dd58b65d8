package creditline.store;

import java.util.Map;
import org.flywaydb.core.Flyway;

/** For migration tests: a fresh database migrated up to a version, as Database.migrate would (same placeholders). */
final class MigrationTests {
    private MigrationTests() {}

    /** Migrates the database at {@code location} ({@code sqlite:PATH} or a PostgreSQL URL) up to {@code version}; returns its JDBC URL. */
    static String migratedUpTo(String location, String version) {
        boolean sqlite = location.startsWith("sqlite:");
        String url = sqlite ? "jdbc:" + location : location;
        Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").target(version)
                .placeholders(Map.of("withoutRowid", sqlite ? "WITHOUT ROWID" : "")).load().migrate();
        return url;
    }
}
