package creditline.bench;

import creditline.store.Database;
import creditline.usage.PricedEvent;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fresh database for one repetition (a SQLite file under bench/target, or a new PostgreSQL
 * database), its checks, and the raw-insert phase. The raw phase uses the server's own INSERT
 * statement, row binding and writer connection settings (read reflectively from
 * {@code creditline.store}), so it measures exactly the rows the server writes, minus everything
 * around them.
 */
final class BenchDb implements AutoCloseable {
    final String kind;
    /** What the server is given as CREDITLINE_DB. */
    final String location;
    private final String pgAdminUrl;
    private final String pgName;
    private final Path sqliteFile;
    private final boolean keep;

    private BenchDb(String kind, String location, String pgAdminUrl, String pgName, Path sqliteFile, boolean keep) {
        this.kind = kind;
        this.location = location;
        this.pgAdminUrl = pgAdminUrl;
        this.pgName = pgName;
        this.sqliteFile = sqliteFile;
        this.keep = keep;
    }

    static BenchDb fresh(String kind, Path workDir, String pgAdminUrl, boolean keep) throws Exception {
        String tag = Long.toString(System.currentTimeMillis(), 36) + Long.toString(System.nanoTime() % 1296, 36);
        if (kind.equals("sqlite")) {
            Files.createDirectories(workDir);
            Path file = workDir.resolve("ingest-" + tag + ".db").toAbsolutePath();
            return new BenchDb(kind, "sqlite:" + file, null, null, file, keep);
        }
        String name = "creditline_bench_" + tag;
        try (Connection c = DriverManager.getConnection(pgAdminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        int q = pgAdminUrl.indexOf('?');
        String base = pgAdminUrl.substring(0, pgAdminUrl.lastIndexOf('/', q < 0 ? pgAdminUrl.length() : q) + 1);
        return new BenchDb(kind, base + name + (q < 0 ? "" : pgAdminUrl.substring(q)), pgAdminUrl, name, null, keep);
    }

    /** A plain connection for checks (autocommit). */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(kind.equals("sqlite") ? "jdbc:" + location : location);
    }

    long count(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Bytes on disk: the SQLite file plus its WAL, or pg_database_size. */
    long sizeBytes() throws Exception {
        if (sqliteFile != null) {
            long n = 0;
            for (String suffix : new String[] {"", "-wal"}) {
                Path p = Path.of(sqliteFile + suffix);
                if (Files.exists(p)) n += Files.size(p);
            }
            return n;
        }
        return count("SELECT pg_database_size(current_database())");
    }

    /**
     * CPU of the PostgreSQL processes working for this database over a phase: its backends
     * (the server's writer and readers), autovacuum workers on it, and the shared WAL writer,
     * checkpointer and background writer. Processes come and go (autovacuum), so a thread
     * samples pg_stat_activity and /proc every 100 ms; a process first seen during the phase
     * counts all its CPU. Nothing for SQLite.
     */
    final class PostgresCpu implements AutoCloseable {
        private final Map<Long, long[]> firstAndLast = new ConcurrentHashMap<>();
        private final Thread sampler;
        private volatile boolean running = true;

        private PostgresCpu() throws SQLException {
            sample(true);
            sampler = Thread.ofPlatform().daemon().name("postgres-cpu").start(() -> {
                while (running) {
                    try {
                        Thread.sleep(100);
                        sample(false);
                    } catch (InterruptedException e) {
                        return;
                    } catch (SQLException e) {
                        // the database is being dropped or restarted: keep what was seen
                    }
                }
            });
        }

        private Connection sampling;

        private void sample(boolean initial) throws SQLException {
            if (sampling == null) sampling = connect();
            try (PreparedStatement ps = sampling.prepareStatement("SELECT pid FROM pg_stat_activity WHERE (datname = ? AND pid <> pg_backend_pid())"
                    + " OR backend_type IN ('walwriter', 'checkpointer', 'background writer')")) {
                ps.setString(1, pgName);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long pid = rs.getLong(1);
                        long cpu = cpuNanos(pid);
                        if (cpu < 0) continue;
                        firstAndLast.compute(pid, (k, v) -> v == null ? new long[] {initial ? cpu : 0, cpu} : new long[] {v[0], Math.max(v[1], cpu)});
                    }
                }
            }
        }

        /** Stops sampling and returns the CPU used since the start, in nanoseconds. */
        long stop() {
            running = false;
            sampler.interrupt();
            try {
                sampler.join();
                sample(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (SQLException e) {
                // keep the samples taken
            }
            long sum = 0;
            for (long[] v : firstAndLast.values()) sum += v[1] - v[0];
            return sum;
        }

        @Override
        public void close() throws SQLException {
            running = false;
            sampler.interrupt();
            if (sampling != null) sampling.close();
        }
    }

    /** Starts accounting PostgreSQL's CPU for this database, or null for SQLite. */
    PostgresCpu postgresCpu() throws SQLException {
        return pgName == null ? null : new PostgresCpu();
    }

    /** utime + stime of a process in nanoseconds, or -1 if it is gone. */
    private static long cpuNanos(long pid) {
        try {
            String text = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- the raw-insert phase ----

    /** The server's INSERT statement (one row per statement here: plain JDBC batches) and row binding, from the package-private JdbcIngestTx. */
    static final class ServerSql {
        final String insertEvent;
        final MethodHandle bindEvent;

        void bind(PreparedStatement ps, PricedEvent p, long receivedMicros) throws SQLException {
            try {
                bindEvent.invokeExact(ps, p, receivedMicros, 1);
            } catch (SQLException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        ServerSql(boolean sqlite) throws ReflectiveOperationException {
            Class<?> tx = Class.forName("creditline.store.JdbcIngestTx");
            Method sql = tx.getDeclaredMethod("insertSql", int.class, boolean.class);
            sql.setAccessible(true);
            insertEvent = (String) sql.invoke(null, 1, sqlite);
            Method m = tx.getDeclaredMethod("bindEvent", PreparedStatement.class, PricedEvent.class, long.class, int.class);
            m.setAccessible(true);
            bindEvent = MethodHandles.lookup().unreflect(m)
                    .asType(MethodType.methodType(void.class, PreparedStatement.class, PricedEvent.class, long.class, int.class));
        }
    }

    /** Opens the database the way the server does and returns its writer connection (PostgreSQL: autocommit off; SQLite: explicit BEGIN). */
    static Connection openWriterConnection(Database db) throws ReflectiveOperationException {
        Method m = Database.class.getDeclaredMethod("openWriterConnection");
        m.setAccessible(true);
        return (Connection) m.invoke(db);
    }


    private static void exec(Connection c, String sql) throws SQLException {
        try (java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** Outcome of the raw phase. */
    record RawResult(long rows, long wallNanos, long[] batchNanos) {}

    /**
     * Inserts the batches with one writer connection, one transaction per batch (bind, executeBatch,
     * commit), as the server's writer does for a lone request. Every row must be new.
     */
    static RawResult insertRaw(Connection writer, ServerSql sql, List<List<PricedEvent>> batches, long receivedMicros) throws SQLException {
        long[] batchNanos = new long[batches.size()];
        long rows = 0;
        long start = System.nanoTime();
        try (PreparedStatement ps = writer.prepareStatement(sql.insertEvent)) {
            for (int b = 0; b < batches.size(); b++) {
                long t0 = System.nanoTime();
                List<PricedEvent> batch = batches.get(b);
                boolean explicit = writer.getAutoCommit(); // SQLite: the server's writer issues BEGIN IMMEDIATE / COMMIT itself
                if (explicit) exec(writer, "BEGIN IMMEDIATE");
                for (PricedEvent p : batch) {
                    sql.bind(ps, p, receivedMicros);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                if (explicit) exec(writer, "COMMIT");
                else writer.commit();
                for (int c : counts) {
                    if (c != 1) throw new IllegalStateException("raw insert: a row was not inserted (update count " + c + ")");
                }
                rows += counts.length;
                batchNanos[b] = System.nanoTime() - t0;
            }
        }
        return new RawResult(rows, System.nanoTime() - start, batchNanos);
    }

    @Override
    public void close() throws java.io.IOException, SQLException {
        if (keep) {
            System.out.println("  kept database " + location);
            return;
        }
        if (sqliteFile != null) {
            for (String suffix : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(Path.of(sqliteFile + suffix));
        } else {
            try (Connection c = DriverManager.getConnection(pgAdminUrl); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
            }
        }
    }
}
