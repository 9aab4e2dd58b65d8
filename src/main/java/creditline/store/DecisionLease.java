package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decision lease: while this instance is the only one on the database (a PostgreSQL
 * database, or a SQLite file that another process, such as a command-line tool, may open too),
 * it holds the lease, and {@link DecisionCache} checks a snapshot's {@code state_version} against
 * the versions known here — committed by this instance's writers or read since the lease began —
 * instead of reading it from the database for every burst of requests (which, measured, halved
 * authorize's throughput on PostgreSQL: BENCHMARKS.md).
 *
 * <p>Why that is exact: every write transaction, on any instance, first excludes a lease's taking
 * — on PostgreSQL it takes the advisory lock {@link #ADVISORY_KEY} shared, on SQLite {@code BEGIN
 * IMMEDIATE} excludes every other writer — and then, in a statement of its own, reads the lease
 * row; it does not write while another instance holds a lease that has not run out ({@link
 * HeldElsewhere}: the writer waits and tries again). A lease is taken with every writer excluded
 * (the advisory lock held exclusively; {@code BEGIN IMMEDIATE}), so every write transaction that
 * read the row before is over (it committed before the lease began, and reads after that see
 * it) and every later one sees the holder. From then on only the holder's writers change the
 * database, and each of their commits tells the lease its orgs' new versions before it is
 * acknowledged ({@link Held#learn}). A version known for an org is thus the database's, and a
 * snapshot read at that version is the database's state.
 *
 * <p>Time: the lease row holds until {@link #LEASE_MICROS} after each renewal, on the database's
 * clock; this instance trusts it for {@link #TRUST_NANOS} after sending the renewal, on its own
 * monotonic clock: it stops before any other instance may write, even if the connection was lost
 * and the renewals stopped reaching the database. (The margin covers clock rates, not a database
 * clock stepped forward by more than {@code LEASE - TRUST}.)
 *
 * <p>Who holds it: every instance keeps a row in {@code decision_instances} current while it runs
 * ({@link #PRESENCE_MICROS}); the lease is taken only when no other instance's row is, renewed
 * only while none is, and otherwise given up at the next beat ({@link #BEAT_MILLIS}). So with two
 * instances running, neither holds it and both read versions, as they would without a lease; a
 * second instance starting waits at most about a beat before its first write.
 *
 * <p>SQLite: the lease's renewals, its taking and its giving up are commands of this instance's
 * writer ({@link #writeThrough}), not transactions of a connection of their own, which waited for
 * the file's write lock: the writer, running long transactions back to back (ingest of large
 * batches), took the lock again right after each commit, and the lease ran out. Those commands
 * are not fenced by the lease ({@link BatchingWriter.Command#fencedByLease}): they change no
 * org's state. The instance's row is still written on a connection of its own, so that a holder
 * elsewhere, whose lease keeps this instance's writer waiting, sees it; when the file stays locked
 * for {@link #SQLITE_PRESENCE_WAIT_MS} it is written at a later beat instead (the row stays
 * current for eight beats).
 */
final class DecisionLease implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DecisionLease.class);

    /** The advisory lock every write transaction takes shared, and a lease's taking exclusively ("CredLeas"). */
    static final long ADVISORY_KEY = 0x4372_6564_4C65_6173L;
    /** How long the lease row holds after a renewal, on the database's clock. */
    static final long LEASE_MICROS = 2_000_000;
    /** How long this instance trusts the lease after sending a renewal the database accepted. */
    static final long TRUST_NANOS = 1_200_000_000L;
    /** How long an instance's row in {@code decision_instances} stays current after it renewed it. */
    static final long PRESENCE_MICROS = 2_000_000;
    /** How often the lease and the instance's row are renewed. */
    static final long BEAT_MILLIS = 250;
    /** Orgs whose versions one lease term keeps at most; beyond, the term ends and a new one starts empty. */
    static final int ORGS_MAX = 1_000_000;
    /**
     * SQLite: how long a write on the lease's own connection waits for the file's write lock —
     * this instance's row at each beat; before there is a writer, and when leaving, the lease row too.
     */
    static final int SQLITE_PRESENCE_WAIT_MS = 100;
    /** How long a writer waits for another instance's lease to end before failing its commands. */
    static final long WAIT_MAX_NANOS = 10_000_000_000L;

    /** PostgreSQL: the writers' first statement; the row is read by the next, a snapshot taken once the lock is held. */
    static final String WRITER_LOCK_SQL = "SELECT pg_advisory_xact_lock_shared(" + ADVISORY_KEY + ")";

    /** The database's clock in microseconds: PostgreSQL's, or on SQLite the host's (the processes sharing a file share it). */
    static String now(Database.Dialect dialect) {
        return dialect == Database.Dialect.POSTGRES ? "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT"
                : "CAST(unixepoch('subsec') * 1000000 AS INTEGER)";
    }

    /** SQL run on a connection in a transaction. */
    @FunctionalInterface
    interface Sql<R> {
        R apply(Connection c) throws SQLException;
    }

    /** Where the lease's writes run: in a transaction of this instance's writer (SQLite). */
    interface Writes {
        <R> R run(Sql<R> sql);
    }

    /** A write transaction found the lease held by another instance: it must not write now. */
    static final class HeldElsewhere extends RuntimeException {
        HeldElsewhere(String holder) {
            super("another Creditline instance (" + holder + ") holds the decision lease", null, false, false);
        }
    }

    /** One term of the lease held by this instance, with the org versions known in it. */
    static final class Held {
        final long term;
        private final ConcurrentHashMap<String, Long> versions = new ConcurrentHashMap<>();
        private volatile long trustedUntilNanos;
        /** Set when a commit's outcome was lost: nothing known in this term is trusted again; the term ends at the next beat. */
        private volatile boolean spoiled;

        private Held(long term, long trustedUntilNanos) {
            this.term = term;
            this.trustedUntilNanos = trustedUntilNanos;
        }

        /** The org's version in the database now, when known in this term; -1 when not. */
        long known(String orgId) {
            if (spoiled) return -1;
            Long known = versions.get(orgId);
            return known == null ? -1 : known;
        }

        /**
         * Records a version of the org committed, or read by a read that began, within this term:
         * versions only grow, so the greatest recorded is the database's.
         */
        void learn(String orgId, long version) {
            if (version >= 0 && !spoiled) versions.merge(orgId, version, Math::max);
        }

        int orgs() {
            return versions.size();
        }
    }

    private final Database db;
    private final boolean sqlite;
    private final String now;
    private final String noOtherInstance;
    /** The lease row may be taken by this instance (two parameters: its id, twice): free, its own, or run out, and no other instance present. */
    private final String takeable;
    private final String instanceId = UUID.randomUUID().toString();
    private final Thread thread;
    private volatile boolean running = true;
    /** Whether the last beat failed (logged once per outage, not every beat). */
    private boolean failing;
    /** The term this instance holds, trusted until its time; null when none. */
    private volatile Held held;
    private Connection connection;
    private long lastSweepNanos = System.nanoTime();
    /** SQLite: the writer that runs the lease's writes once there is one; null: its own connection. */
    private volatile Writes writer;

    private DecisionLease(Database db) throws SQLException {
        this.db = db;
        this.sqlite = db.dialect() == Database.Dialect.SQLITE;
        this.now = now(db.dialect());
        this.noOtherInstance = "NOT EXISTS (SELECT 1 FROM decision_instances WHERE instance_id <> ? AND seen_until_micros > " + now + ")";
        this.takeable = "(holder IS NULL OR holder = ? OR until_micros <= " + now + ") AND " + noOtherInstance;
        // Present before the first write, so that a holder elsewhere gives the lease up for it.
        present();
        thread = Thread.ofPlatform().daemon().name("creditline-decision-lease").start(this::loop);
    }

    /**
     * SQLite: from now on the lease is renewed, taken and given up in transactions of this
     * writer (see the class comment), which must not fence these commands by the lease.
     */
    void writeThrough(Writes writer) {
        if (!sqlite) throw new IllegalStateException("only SQLite's lease writes through the writer");
        this.writer = writer;
    }

    /** The lease for the database, beating from now on. */
    static DecisionLease open(Database db) {
        try {
            return new DecisionLease(db);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    /**
     * The writers' read of the lease row, in their transaction: on PostgreSQL after {@link
     * #WRITER_LOCK_SQL}, on SQLite after {@code BEGIN IMMEDIATE} (which every write transaction,
     * of every process, takes: a lease's taking waits for it).
     */
    String writerReadSql() {
        return "SELECT holder, term, until_micros > " + now + " FROM decision_lease WHERE lease_id = 1";
    }

    /** The term held, while trusted; null when this instance must read versions from the database. */
    Held trusted() {
        Held h = held;
        return h != null && !h.spoiled && System.nanoTime() - h.trustedUntilNanos < 0 ? h : null;
    }

    /**
     * A write transaction under {@code term} failed while committing, so it may have been applied
     * without this instance learning its versions: the term's versions are trusted no more, and the
     * term ends at the next beat (a new one starts with none known).
     */
    void spoil(long term, String why) {
        Held h = held;
        if (term < 0 || h == null || h.term != term || h.spoiled) return;
        h.spoiled = true;
        log.warn("decision lease: a commit failed with its outcome unknown ({}); decisions read versions from the database until a new term", why);
    }

    /** The term held (trusted or not), for the writers: its versions are learnt as long as it is this term. */
    Held current() {
        return held;
    }

    /**
     * Reads the lease row in a write transaction that has taken {@link #WRITER_LOCK_SQL}: the term
     * this instance holds as the row says, -1 when none.
     *
     * @throws HeldElsewhere when another instance holds a lease that has not run out
     */
    long termInTransaction(ResultSet row) throws SQLException {
        if (!row.next()) throw new IllegalStateException("the decision_lease row is missing");
        String holder = row.getString(1);
        long term = row.getLong(2);
        boolean current = row.getBoolean(3);
        if (holder == null || !current) return -1;
        if (!holder.equals(instanceId)) throw new HeldElsewhere(holder);
        return term;
    }

    private void loop() {
        while (running) {
            try {
                beat();
                if (failing) log.info("decision lease: the database answers again");
                failing = false;
            } catch (SQLException | RuntimeException e) {
                held = null; // trusted no longer; the row runs out by itself
                if (!failing) log.warn("decision lease: {} (said once until the database answers again)", e.getMessage());
                failing = true;
                closeConnection();
            }
            try {
                Thread.sleep(BEAT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private void beat() throws SQLException {
        present();
        Held h = held;
        if (h != null) {
            if (h.spoiled || h.orgs() > ORGS_MAX || !renew(h)) {
                held = null;
                release(h.term);
            }
        } else if (free()) {
            take();
        }
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            connection = db.openReaderConnection();
            connection.setAutoCommit(true);
            if (sqlite) {
                try (Statement s = connection.createStatement()) {
                    s.execute("PRAGMA busy_timeout = " + SQLITE_PRESENCE_WAIT_MS);
                }
            } else {
                try (Statement s = connection.createStatement()) {
                    s.execute("SET statement_timeout = '2s'"); // a stalled beat is ended and the connection opened afresh
                }
            }
        }
        return connection;
    }

    /**
     * Renews this instance's row (and, now and then, deletes rows long out of date). SQLite: when
     * the file stays locked, not at this beat.
     */
    private void present() throws SQLException {
        try {
            renewPresence();
        } catch (SQLException e) {
            if (!sqlite || !busy(e)) throw e;
            log.debug("decision lease: the database stayed locked; this instance's row is renewed at a later beat");
        }
    }

    private static boolean busy(SQLException e) {
        return e instanceof org.sqlite.SQLiteException se && (se.getResultCode().code & 0xff) == org.sqlite.SQLiteErrorCode.SQLITE_BUSY.code;
    }

    private void renewPresence() throws SQLException {
        Connection c = connection();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO decision_instances (instance_id, seen_until_micros) VALUES (?, "
                + now + " + " + PRESENCE_MICROS + ") ON CONFLICT (instance_id) DO UPDATE SET seen_until_micros = EXCLUDED.seen_until_micros")) {
            ps.setString(1, instanceId);
            ps.executeUpdate();
        }
        if (System.nanoTime() - lastSweepNanos > 60_000_000_000L) {
            lastSweepNanos = System.nanoTime();
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM decision_instances WHERE seen_until_micros < " + now + " - 3600000000");
            }
        }
    }

    /** Extends the term while the row is still this instance's, current, and no other instance is. */
    private boolean renew(Held h) throws SQLException {
        long sent = System.nanoTime();
        boolean renewed = write(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE decision_lease SET until_micros = " + now + " + " + LEASE_MICROS
                    + " WHERE lease_id = 1 AND holder = ? AND term = ? AND until_micros > " + now + " AND " + noOtherInstance)) {
                ps.setString(1, instanceId);
                ps.setLong(2, h.term);
                ps.setString(3, instanceId);
                return ps.executeUpdate() == 1;
            }
        });
        if (renewed) h.trustedUntilNanos = sent + TRUST_NANOS;
        return renewed;
    }

    /** Whether the lease is free to take: not held by another instance, or run out, and no other instance present. */
    private boolean free() throws SQLException {
        try (PreparedStatement ps = connection().prepareStatement("SELECT " + takeable + " FROM decision_lease WHERE lease_id = 1")) {
            ps.setString(1, instanceId);
            ps.setString(2, instanceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /**
     * Takes the lease, when it is free, with every write transaction excluded, so that none that
     * read the row before is still running: SQLite, in a transaction of the writer (its {@code
     * BEGIN IMMEDIATE}) once there is one; else on the lease's own connection, PostgreSQL holding
     * the advisory lock exclusively, SQLite {@code BEGIN IMMEDIATE}.
     */
    private void take() throws SQLException {
        long sent = System.nanoTime();
        Writes w = writer;
        long term = w != null ? w.run(this::takeRow) : takeExclusively();
        if (term >= 0) {
            held = new Held(term, sent + TRUST_NANOS);
            log.info("decision lease taken (term {}): no other instance on the database; decisions check versions in memory", term);
        }
    }

    /** Takes the lease in the transaction on {@code c} if it is free: the new term, or -1. */
    private long takeRow(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE decision_lease SET holder = ?, term = term + 1, until_micros = " + now + " + "
                + LEASE_MICROS + " WHERE lease_id = 1 AND " + takeable + " RETURNING term")) {
            ps.setString(1, instanceId);
            ps.setString(2, instanceId);
            ps.setString(3, instanceId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private long takeExclusively() throws SQLException {
        Connection c = connection();
        if (!sqlite) c.setAutoCommit(false);
        try {
            try (Statement s = c.createStatement()) {
                if (sqlite) {
                    s.execute("BEGIN IMMEDIATE");
                } else {
                    s.execute("SET LOCAL lock_timeout = '1s'");
                    s.execute("SELECT pg_advisory_xact_lock(" + ADVISORY_KEY + ")");
                }
            }
            long term = takeRow(c);
            if (sqlite) Database.exec(c, "COMMIT");
            else c.commit();
            return term;
        } catch (SQLException e) {
            try {
                if (sqlite) Database.exec(c, "ROLLBACK");
                else c.rollback();
            } catch (SQLException ignored) {
                // the connection is closed by the caller
            }
            throw e;
        } finally {
            if (!sqlite && connection != null) c.setAutoCommit(true);
        }
    }

    private void release(long term) throws SQLException {
        boolean released = write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE decision_lease SET holder = NULL, until_micros = 0 WHERE lease_id = 1 AND holder = ? AND term = ?")) {
                ps.setString(1, instanceId);
                ps.setLong(2, term);
                return ps.executeUpdate() == 1;
            }
        });
        if (released) log.info("decision lease given up (term {}): decisions read versions from the database", term);
    }

    /** A write of the lease row: in a transaction of the writer once there is one (SQLite), else on the lease's own connection. */
    private <R> R write(Sql<R> sql) throws SQLException {
        Writes w = writer;
        return w != null ? w.run(sql) : sql.apply(connection());
    }

    private void closeConnection() {
        Database.closeQuietly(connection);
        connection = null;
    }

    /** Stops trusting, gives the lease up and leaves the instances (call after the writers have stopped). */
    @Override
    public void close() {
        Held before = held; // a last beat may drop it, its renewal failing in the writer that has stopped
        running = false;
        writer = null; // the lease is given up on its own connection
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Held after = held;
        held = null;
        try {
            if (before != null) release(before.term);
            if (after != null && after != before) release(after.term);
            try (PreparedStatement ps = connection().prepareStatement("DELETE FROM decision_instances WHERE instance_id = ?")) {
                ps.setString(1, instanceId);
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            log.warn("decision lease: leaving failed ({}); the lease and this instance's row run out by themselves", e.getMessage());
        } finally {
            closeConnection();
        }
    }
}
