package creditline.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** A migrated database: a reader pool and the one connection its writer uses. */
public final class Database implements AutoCloseable {
    public enum Dialect { SQLITE, POSTGRES }

    private static final int READERS_MAX = 8;

    private final Dialect dialect;
    private final String url;
    private final HikariDataSource readers;
    /** SQLite: log pages (4 KiB: 64 MiB) after which the writer's commit checkpoints. */
    static final int WRITER_CHECKPOINT_PAGES = 16_384;

    private final SQLiteConfig sqliteConfig;

    private Database(Dialect dialect, String url, HikariDataSource readers, SQLiteConfig sqliteConfig) {
        this.dialect = dialect;
        this.url = url;
        this.readers = readers;
        this.sqliteConfig = sqliteConfig;
    }

    /**
     * Opens and migrates a database given as {@code sqlite:PATH}, {@code jdbc:sqlite:PATH} or
     * {@code jdbc:postgresql://...}.
     */
    public static Database open(String location) {
        HikariConfig pool = new HikariConfig();
        pool.setMaximumPoolSize(READERS_MAX);
        pool.setPoolName("creditline-readers");
        // A request waits at most this long for a connection while the database is unreachable, then gets a 503.
        pool.setConnectionTimeout(POOL_WAIT_MS);
        Database db;
        if (location.startsWith("sqlite:") || location.startsWith("jdbc:sqlite:")) {
            String path = location.substring(location.indexOf("sqlite:") + "sqlite:".length());
            try {
                Path parent = Path.of(path).toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot create the database directory for " + path + ": " + e.getMessage(), e);
            }
            String url = "jdbc:sqlite:" + path;
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // FULL: a commit is on disk before the writer acknowledges it.
            config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
            config.setBusyTimeout(10_000);
            config.setCacheSize(-64_000);
            // Temporary tables and statement journals in memory: on disk, a temporary file was
            // created and deleted for nearly every write transaction.
            config.setTempStore(SQLiteConfig.TempStore.MEMORY);
            // When a commit starts the log again, the file is cut back to this (see WriteAheadLog).
            config.setJournalSizeLimit(Math.toIntExact(WriteAheadLog.defaultLimitBytes()));
            SQLiteDataSource ds = new SQLiteDataSource(config) {
                @Override
                public Connection getConnection() throws SQLException {
                    return StatementCache.wrap(super.getConnection());
                }
            };
            ds.setUrl(url);
            pool.setDataSource(ds);
            db = new Database(Dialect.SQLITE, url, new HikariDataSource(pool), config);
        } else if (location.startsWith("jdbc:postgresql:")) {
            pool.setJdbcUrl(location);
            postgresProperties(READER).forEach((k, v) -> pool.addDataSourceProperty((String) k, v));
            db = new Database(Dialect.POSTGRES, location, new HikariDataSource(pool), null);
        } else {
            throw new IllegalArgumentException("CREDITLINE_DB must be sqlite:PATH or jdbc:postgresql://HOST:PORT/DB, got '" + location + "'");
        }
        try {
            db.migrate();
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        return db;
    }

    private void migrate() {
        migrations(dialect).dataSource(readers).load().migrate();
    }

    /** How long a reader waits for a pooled connection (the pool's default is 30 s). */
    static final long POOL_WAIT_MS = 10_000;

    /**
     * pgjdbc's connection settings unless the URL sets them (its parameters win), and the name the
     * connection has in {@code pg_stat_activity} (reader or writer): a server that
     * accepts the TCP connection but never answers (a stalled host, a black-holing proxy) fails the
     * connection after 10 s — pgjdbc's default is to wait for ever, and {@code serve} hung at start.
     */
    private static Properties postgresProperties(String applicationName) {
        Properties p = new Properties();
        p.setProperty("connectTimeout", "10");
        p.setProperty("loginTimeout", "10");
        p.setProperty("ApplicationName", applicationName);
        // The writer's statements are short: one that has had no answer for a minute (a server that stopped
        // answering, a row lock another instance's stalled transaction keeps) ends its connection, and the writes
        // waiting behind it get 503 instead of waiting for the network to give up. Readers may stream an export for longer.
        if (applicationName.equals(WRITER)) p.setProperty("socketTimeout", "60");
        return p;
    }

    private static final String READER = "creditline-reader";
    private static final String WRITER = "creditline-writer";

    /**
     * The migrations: one SQL for both dialects, with the placeholder {@code ${withoutRowid}}
     * after a CREATE TABLE for a table that is read and written by its key only (SQLite then
     * keeps its rows in the key's B-tree; PostgreSQL has no such clause); and the Java migration
     * V13 ({@link TextInCodePointOrder}).
     */
    static FluentConfiguration migrations(Dialect dialect) {
        return Flyway.configure()
                .locations("classpath:db/migration")
                .placeholders(Map.of("withoutRowid", dialect == Dialect.SQLITE ? "WITHOUT ROWID" : ""))
                .javaMigrations(new TextInCodePointOrder());
    }

    public Dialect dialect() { return dialect; }

    public DataSource readers() { return readers; }

    /**
     * Closes the readers' idle connections (and the others once returned): after the database
     * dropped them, the pool would hand out a dead one used less than half a second ago unchecked.
     */
    void evictReaders() {
        if (readers.getHikariPoolMXBean() != null) readers.getHikariPoolMXBean().softEvictConnections();
    }

    /** Tests: wraps each new writer connection (to inject a fault the database cannot be made to make). */
    private volatile java.util.function.UnaryOperator<Connection> writerConnections = c -> c;

    void wrapWriterConnections(java.util.function.UnaryOperator<Connection> wrap) {
        writerConnections = wrap;
    }

    /** A new connection for the writer: autocommit off on PostgreSQL, on (explicit BEGIN) on SQLite. */
    Connection openWriterConnection() throws SQLException {
        Connection c = writerConnections.apply(openConnection(WRITER));
        // SQLite: the writer issues BEGIN IMMEDIATE / COMMIT itself (see BatchingWriter). The
        // driver's own transaction mode would begin the next transaction right after each
        // commit and, as IMMEDIATE, hold the file's write lock while idle.
        if (dialect == Dialect.POSTGRES) {
            c.setAutoCommit(false);
        } else {
            // The writer's commits copy the log into the database file once it holds this many
            // pages rather than SQLite's 1,000: a page that several batches change (an org's
            // rollup and budget rows, index pages) is copied once for all of them (BENCHMARKS.md:
            // reserve+settle 6,399-6,585 -> 8,084-8,347 pairs/s, ingest writer -7 % per event).
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA wal_autocheckpoint=" + WRITER_CHECKPOINT_PAGES);
            }
        }
        return c;
    }

    /** A connection of its own, outside the readers' pool, autocommit on (a long-lived reading thread's). */
    Connection openReaderConnection() throws SQLException {
        return openConnection(READER);
    }

    /** A new connection; on PostgreSQL named {@code applicationName} in {@code pg_stat_activity}. */
    private Connection openConnection(String applicationName) throws SQLException {
        return dialect == Dialect.POSTGRES ? DriverManager.getConnection(url, postgresProperties(applicationName))
                : StatementCache.wrap(DriverManager.getConnection(url, sqliteConfig.toProperties()));
    }

    /** Runs one statement that returns nothing (transaction control: BEGIN IMMEDIATE, COMMIT, ROLLBACK). */
    static void exec(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Closes a connection of its own, if any, ignoring that it may be broken already. */
    static void closeQuietly(Connection c) {
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // a broken connection
        }
    }

    @Override
    public void close() {
        readers.close();
    }
}
