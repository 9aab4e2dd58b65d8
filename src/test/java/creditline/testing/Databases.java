package creditline.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Fresh databases for tests: a SQLite file in a temp dir, or a new PostgreSQL database on the
 * server named by {@code -Dcreditline.postgresUrl}. When PostgreSQL is unreachable the test is
 * skipped with a visible message, unless {@code -Dcreditline.requirePostgres=true} (CI), where it fails.
 */
public final class Databases {
    private Databases() {}

    public static String freshSqlite() {
        try {
            Path dir = Files.createTempDirectory("creditline-test");
            return "sqlite:" + dir.resolve("test.db");
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String adminUrl() {
        return System.getProperty("creditline.postgresUrl", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    }

    /** A JDBC URL of a new, empty PostgreSQL database. */
    public static String freshPostgres() {
        return freshPostgres("");
    }

    /** The same, created with {@code options} (e.g. a collation). */
    private static String freshPostgres(String options) {
        String admin = adminUrl();
        String name = "creditline_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name + options);
        } catch (SQLException e) {
            String message = "PostgreSQL is not reachable at " + admin + " (" + e.getMessage() + ")";
            if (Boolean.getBoolean("creditline.requirePostgres")) Assertions.fail(message + "; CI requires PostgreSQL tests to run");
            System.err.println("SKIPPED PostgreSQL test: " + message);
            Assumptions.abort(message);
        }
        int q = admin.indexOf('?');
        String base = admin.substring(0, admin.lastIndexOf('/', q < 0 ? admin.length() : q) + 1);
        return base + name + (q < 0 ? "" : admin.substring(q));
    }

    /** The port of a PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/db…}; 5432 when it names none). */
    public static int postgresPort(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^jdbc:postgresql://[^/:]+(?::(\\d+))?/").matcher(url);
        if (!m.find()) throw new IllegalArgumentException("not a PostgreSQL URL: " + url);
        return m.group(1) == null ? 5432 : Integer.parseInt(m.group(1));
    }

    /** The same database reached through {@code 127.0.0.1:port} (a {@link TcpProxy}). */
    public static String throughPort(String url, int port) {
        return url.replaceFirst("^jdbc:postgresql://[^/]+/", "jdbc:postgresql://127.0.0.1:" + port + "/");
    }

    /** Drops a database made by {@link #freshPostgres()}; does nothing for SQLite. */
    public static void drop(String url) {
        if (!url.startsWith("jdbc:postgresql:")) return;
        int q = url.indexOf('?');
        String path = url.substring(0, q < 0 ? url.length() : q);
        String name = path.substring(path.lastIndexOf('/') + 1);
        try (Connection c = DriverManager.getConnection(adminUrl()); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + name + ": " + e.getMessage());
        }
    }

    public static String fresh(String kind) {
        return switch (kind) {
            case "sqlite" -> freshSqlite();
            case "postgres" -> freshPostgres();
            // Many installations' default: a linguistic collation ("a" < "B" < "c", accents ignored first).
            case "postgres-linguistic" -> freshPostgres(" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'");
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
