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
    /** How long a writer waits for another instance's lease to end before failing its commands. */
    static final long WAIT_MAX_NANOS = 10_000_000_000L;

    /** PostgreSQL: the writers' first statement; the row is read by the next, a snapshot taken once the lock is held. */
    static final String WRITER_LOCK_SQL = "SELECT pg_advisory_xact_lock_shared(" + ADVISORY_KEY + ")";

    /** The database's clock in microseconds: PostgreSQL's, or on SQLite the host's (the processes sharing a file share it). */
    static String now(Database.Dialect dialect) {
        return dialect == Database.Dialect.POSTGRES ? "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT"
                : "CAST(unixepoch('subsec') * 1000000 AS INTEGER)";
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

        private Held(long term, long trustedUntilNanos) {
            this.term = term;
            this.trustedUntilNanos = trustedUntilNanos;
        }

        /** The org's version in the database now, when known in this term; -1 when not. */
        long known(String orgId) {
            Long known = versions.get(orgId);
            return known == null ? -1 : known;
        }

        /**
         * Records a version of the org committed, or read by a read that began, within this term:
         * versions only grow, so the greatest recorded is the database's.
         */
        void learn(String orgId, long version) {
            if (version >= 0) versions.merge(orgId, version, Math::max);
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
    /** The term this instance holds, trusted until its time; null when none. */
    private volatile Held held;
    private Connection connection;
    private long lastSweepNanos = System.nanoTime();

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
        return h != null && System.nanoTime() - h.trustedUntilNanos < 0 ? h : null;
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
            } catch (SQLException | RuntimeException e) {
                held = null; // trusted no longer; the row runs out by itself
                log.warn("decision lease: {}", e.getMessage());
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
            if (h.orgs() > ORGS_MAX || !renew(h)) {
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
            if (!sqlite) {
                try (Statement s = connection.createStatement()) {
                    s.execute("SET statement_timeout = '2s'"); // a stalled beat is ended and the connection opened afresh
                }
            }
        }
        return connection;
    }

    /** Renews this instance's row (and, now and then, deletes rows long out of date). */
    private void present() throws SQLException {
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
        try (PreparedStatement ps = connection().prepareStatement("UPDATE decision_lease SET until_micros = " + now + " + " + LEASE_MICROS
                + " WHERE lease_id = 1 AND holder = ? AND term = ? AND until_micros > " + now + " AND " + noOtherInstance)) {
            ps.setString(1, instanceId);
            ps.setLong(2, h.term);
            ps.setString(3, instanceId);
            if (ps.executeUpdate() != 1) return false;
        }
        h.trustedUntilNanos = sent + TRUST_NANOS;
        return true;
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
     * Takes the lease with every write transaction excluded — PostgreSQL: the advisory lock held
     * exclusively; SQLite: {@code BEGIN IMMEDIATE} — so that none that read the row before is still running.
     */
    private void take() throws SQLException {
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
            long sent = System.nanoTime();
            long term = -1;
            try (PreparedStatement ps = c.prepareStatement("UPDATE decision_lease SET holder = ?, term = term + 1, until_micros = " + now + " + "
                    + LEASE_MICROS + " WHERE lease_id = 1 AND " + takeable + " RETURNING term")) {
                ps.setString(1, instanceId);
                ps.setString(2, instanceId);
                ps.setString(3, instanceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) term = rs.getLong(1);
                }
            }
            if (sqlite) Database.exec(c, "COMMIT");
            else c.commit();
            if (term >= 0) {
                held = new Held(term, sent + TRUST_NANOS);
                log.info("decision lease taken (term {}): no other instance on the database; decisions check versions in memory", term);
            }
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
        try (PreparedStatement ps = connection().prepareStatement(
                "UPDATE decision_lease SET holder = NULL, until_micros = 0 WHERE lease_id = 1 AND holder = ? AND term = ?")) {
            ps.setString(1, instanceId);
            ps.setLong(2, term);
            if (ps.executeUpdate() == 1) log.info("decision lease given up (term {}): decisions read versions from the database", term);
        }
    }

    private void closeConnection() {
        Database.closeQuietly(connection);
        connection = null;
    }

    /** Stops trusting, gives the lease up and leaves the instances (call after the writers have stopped). */
    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Held h = held;
        held = null;
        try {
            if (h != null) release(h.term);
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
