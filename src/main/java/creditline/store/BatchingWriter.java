package creditline.store;

import creditline.usage.OrgRef;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of a database: callers submit commands and block until the transaction that
 * applied them has committed. Commands queued meanwhile are applied together in one
 * transaction (group commit), sharing a {@link WriteBatch} whose books are written once before
 * the commit. A command that throws fails alone: the transaction is rolled back and the others
 * are applied again without it (no savepoint per command, which on SQLite costs a statement
 * journal per command). When writing the books or the commit fails, each command is retried in
 * a transaction of its own, so only the command at fault fails. When what the writer kept in
 * memory proves wrong ({@link KnownHolds.Stale}), it is forgotten and the whole batch applied again.
 *
 * <p>Commands that can be applied as one (usage posts: {@link Merger}) are, each kind at the place
 * of its first command in the batch.
 */
public final class BatchingWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchingWriter.class);
    public static final int QUEUE_COMMANDS_MAX = 4_096;
    /** A batch stops growing once its commands weigh this much (e.g. events). */
    public static final int BATCH_WEIGHT_MAX = 20_000;
    private static final long ENQUEUE_TIMEOUT_MS = 10_000;

    /** A unit of work in the write transaction. */
    public interface Command<R> {
        /**
         * Orgs whose rows this command changes: locked before the batch runs and their
         * {@code state_version} bumped. A change that reaches orgs it cannot name (a plan's
         * edit) bumps their versions itself.
         */
        Collection<String> orgIds();

        /** Relative size, e.g. the number of events. */
        default int weight() { return 1; }

        R apply(WriteBatch batch) throws SQLException;

        /**
         * Whether the command waits while another instance holds the {@link DecisionLease} (every
         * command that changes an org's state must); not the lease's own writes.
         */
        default boolean fencedByLease() { return true; }

        /** Declares what the command will read (see {@link BatchReads}); nothing by default. */
        default void declareReads(BatchReads reads) {}

        /**
         * Applies this command together with the batch's other commands of the same merger, as
         * one, at the place of the first of them (e.g. usage posts: their events inserted by the
         * same statements); null: alone.
         */
        default Merger<R> merger() { return null; }
    }

    /**
     * Applies consecutive commands of one kind as one. The results, one per command in order,
     * must be what applying them one after another would give. When it throws, the writer
     * applies the commands again one at a time, so that only the command at fault fails.
     */
    public interface Merger<R> {
        List<R> applyAll(WriteBatch batch, List<Command<R>> commands) throws SQLException;
    }

    /** The writer cannot take more work now. */
    public static final class OverloadedException extends RuntimeException {
        OverloadedException(String message) { super(message); }
    }

    private static final class Pending<R> {
        final Command<R> command;
        final CompletableFuture<R> result;
        /** Applied alone, not merged: merged with others, it failed. */
        boolean alone;

        Pending(Command<R> command, CompletableFuture<R> result) {
            this.command = command;
            this.result = result;
        }

        Command<R> command() { return command; }

        CompletableFuture<R> result() { return result; }

        Merger<R> merger() { return alone ? null : command.merger(); }

        Runnable run(WriteBatch batch) throws SQLException {
            R r = command.apply(batch);
            return () -> result.complete(r);
        }
    }

    /** Runs todo[from, to), commands of one merger, as one; returns what completes them after the commit. */
    @SuppressWarnings("unchecked")
    private static <R> Runnable runMerged(WriteBatch batch, List<Pending<?>> todo, int from, int to) throws SQLException {
        List<Command<R>> commands = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) commands.add((Command<R>) todo.get(i).command());
        List<R> results = ((Pending<R>) todo.get(from)).merger().applyAll(batch, commands);
        if (results.size() != commands.size()) throw new IllegalStateException("a merger gave " + results.size() + " results for " + commands.size() + " commands");
        return () -> {
            for (int i = from; i < to; i++) ((Pending<R>) todo.get(i)).result().complete(results.get(i - from));
        };
    }

    private final Database db;
    private final BlockingQueue<Pending<?>> queue = new ArrayBlockingQueue<>(QUEUE_COMMANDS_MAX);
    private final Thread thread;
    private final Consumer<Integer> batchObserver;
    private volatile boolean running = true;
    private Connection connection;
    private boolean inSqliteTransaction;
    /** SQLite: the log the writer's connection appends to; null on PostgreSQL or for a database in memory. */
    private WriteAheadLog writeAheadLog;

    private final DecisionCache decisions;
    private final KnownHolds knownHolds = new KnownHolds();
    /** Whether the batch being applied was already tried again on a new connection after the database failed. */
    private boolean retriedOnNewConnection;
    /** The writer's lines about an unavailable database: one a second at most. */
    private final OutageLog outage = new OutageLog();
    private final Clock clock;
    private final DecisionLease lease;
    /** The decision lease's row as a write transaction reads it: the term it runs under, or -1. */
    private final Query<Long> leaseRead;
    /** When this writer began waiting for another instance's decision lease to end; 0 when not waiting. */
    private long leaseWaitSinceNanos;

    /**
     * @param decisions the instance's decision cache, which the writer carries across its commits; null for none
     * @param lease the instance's decision lease, which every write transaction checks and tells what it committed
     */
    BatchingWriter(Database db, Consumer<Integer> batchObserver, DecisionCache decisions, DecisionLease lease, Clock clock) {
        this.db = db;
        this.clock = clock;
        this.lease = lease;
        this.leaseRead = new Query<>(lease.writerReadSql(), (ps, first) -> first, lease::termInTransaction);
        this.batchObserver = batchObserver;
        this.decisions = decisions;
        this.thread = Thread.ofPlatform().name("creditline-writer").unstarted(this::loop);
        this.thread.start();
    }

    /**
     * Applies the command durably and returns its result; its exception if it failed. Once the
     * command is queued, its outcome is the answer even when the caller is interrupted (the
     * server stopping): the writer applies every queued command before it stops, so a caller
     * never reports a failure for a write that was committed.
     */
    public <R> R execute(Command<R> command) {
        CompletableFuture<R> result = new CompletableFuture<>();
        try {
            if (!running) throw new OverloadedException("Creditline is stopping; nothing was written");
            if (!queue.offer(new Pending<>(command, result), ENQUEUE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new OverloadedException("Creditline is overloaded: the write queue stayed full for " + ENQUEUE_TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OverloadedException("Creditline is stopping; nothing was written");
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return interrupted ? result.get(100, TimeUnit.MILLISECONDS) : result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.TimeoutException e) {
                    if (!thread.isAlive() && !result.isDone()) throw new IllegalStateException("the writer stopped before applying this write");
                }
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof SQLException se) throw new StoreFailure(se);
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException("write failed: " + e.getCause().getMessage(), e.getCause());
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /** Commands waiting for the next batch (for tests that compose a batch). */
    int queued() {
        return queue.size();
    }

    private void loop() {
        List<Pending<?>> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Pending<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                int weight = first.command().weight();
                Pending<?> next;
                while (weight < BATCH_WEIGHT_MAX && (next = queue.poll()) != null) {
                    batch.add(next);
                    weight += next.command().weight();
                }
                applyBatch(batch);
                observe(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable t) {
                log.error("writer batch failed", t);
                for (Pending<?> p : batch) p.result().completeExceptionally(t);
            } finally {
                batch.clear();
            }
        }
        // A command queued as the writer stopped (interrupted) is refused, not left waiting.
        for (Pending<?> p; (p = queue.poll()) != null; ) p.result().completeExceptionally(new OverloadedException("Creditline is stopping; nothing was written"));
        closeConnection();
    }

    /** Tells the observer how many commands callers waited for in the batch: not the decision lease's own writes. */
    private void observe(List<Pending<?>> batch) {
        int commands = 0;
        for (Pending<?> p : batch) if (p.command().fencedByLease()) commands++;
        if (commands > 0) batchObserver.accept(commands);
    }

    private void applyBatch(List<Pending<?>> batch) {
        retriedOnNewConnection = false;
        List<Pending<?>> todo = mergersTogether(applyUnfenced(batch));
        while (!todo.isEmpty()) todo = attempt(todo, true);
    }

    /**
     * The batch with the commands of each merger moved up to the first of them, the order
     * otherwise kept. The commands of a batch were all waiting at once, none answered before
     * another was sent: applying them in this order is as true as in the order they arrived.
     */
    private static List<Pending<?>> mergersTogether(List<Pending<?>> batch) {
        Map<Merger<?>, List<Pending<?>>> groups = new IdentityHashMap<>();
        List<List<Pending<?>>> order = new ArrayList<>();
        for (Pending<?> p : batch) {
            Merger<?> m = p.merger();
            List<Pending<?>> group = m == null ? null : groups.get(m);
            if (group == null) {
                group = new ArrayList<>();
                order.add(group);
                if (m != null) groups.put(m, group);
            }
            group.add(p);
        }
        List<Pending<?>> out = new ArrayList<>(batch.size());
        order.forEach(out::addAll);
        return out;
    }

    /**
     * Applies the commands in one transaction and completes them once it has committed. Returns
     * the commands still to apply: all but the one that threw, when one did.
     */
    private List<Pending<?>> attempt(List<Pending<?>> todo, boolean mayIsolate) {
        List<Runnable> onCommit = new ArrayList<>(todo.size());
        int running = -1;
        int mergedTo = -1;
        Connection tx = null;
        Locked locked = null;
        boolean committing = false;
        try {
            tx = connection();
            begin(tx);
            BatchReads reads = new BatchReads();
            if (!sqlite()) for (Pending<?> p : todo) p.command().declareReads(reads); // SQLite has no round trips to save
            locked = lockOrgs(tx, todo, reads);
            WriteBatch batch = new WriteBatch(tx, !sqlite(), locked.orgs(), locked.read(), decisions, knownHolds);
            for (running = 0; running < todo.size(); running = mergedTo) {
                Merger<?> merger = todo.get(running).merger();
                mergedTo = running + 1;
                while (merger != null && mergedTo < todo.size() && todo.get(mergedTo).merger() == merger) mergedTo++;
                onCommit.add(mergedTo - running > 1 ? runMerged(batch, todo, running, mergedTo) : todo.get(running).run(batch));
            }
            running = -1;
            Runnable carry = batch.carriedAtCommit(clock.instant());
            batch.flush();
            Map<String, Long> versions = locked.leaseTerm() >= 0 ? batch.versionsAtCommit() : Map.of();
            committing = true;
            commit(tx);
            committing = false;
            learn(locked.leaseTerm(), versions);
            carry.run();
            leaseWaitSinceNanos = 0;
        } catch (SQLException | RuntimeException e) {
            // A commit that failed may have been applied (its answer lost with the connection): the versions the lease
            // knows for the batch's orgs may be behind the database's, so the term ends (decisions read versions meanwhile).
            if (committing && locked != null) lease.spoil(locked.leaseTerm(), e.toString());
            // The database's error, thrown as it is or wrapped by a command (StoreFailure).
            SQLException sql = e instanceof SQLException s ? s : e instanceof StoreFailure f && f.getCause() instanceof SQLException s ? s : null;
            boolean unavailable = sql != null && StoreFailure.unavailable(sql);
            if (tx != null && !unavailable) rollbackQuietly(tx);
            if (unavailable) inSqliteTransaction = false; // the connection is closed below; nothing to roll back on it
            if (e instanceof SQLException || unavailable) closeConnection(); // a broken connection is reopened on the next attempt
            if (unavailable) {
                // The database's state, not a command's fault: once more on a new connection (a connection the server
                // closed — a restart, pg_terminate_backend — fails only its first use), then the whole batch fails.
                if (!committing && !retriedOnNewConnection) {
                    retriedOnNewConnection = true;
                    outage.note(log, "the database connection failed (" + StoreFailure.firstLine(sql) + "); applying the batch again on a new connection");
                    return todo;
                }
                outage.note(log, "a write batch failed: the database is unavailable (" + StoreFailure.firstLine(sql) + ")");
                // SQLite's COMMIT either happened or did not, in this process; PostgreSQL's answer may have been lost.
                StoreFailure failure = new StoreFailure(sql, committing && !sqlite());
                for (Pending<?> p : todo) p.result().completeExceptionally(failure);
                return List.of();
            }
            if (e instanceof DecisionLease.HeldElsewhere held) return waitForLease(todo, held);
            if (e instanceof KnownHolds.Stale stale) {
                log.warn("applying a batch again: {}", stale.getMessage()); // no command's fault; forgotten, so it cannot recur
                return todo;
            }
            if (running >= 0 && mergedTo - running > 1) {
                for (int i = running; i < mergedTo; i++) todo.get(i).alone = true; // which of them is at fault is not known
                return todo;
            }
            if (running >= 0) {
                todo.get(running).result().completeExceptionally(e);
                List<Pending<?>> rest = new ArrayList<>(todo);
                rest.remove(running);
                return rest;
            }
            if (todo.size() == 1 || !mayIsolate) {
                for (Pending<?> p : todo) p.result().completeExceptionally(e);
                return List.of();
            }
            log.warn("a write batch of {} commands failed as a whole ({}); applying them one by one", todo.size(), e.toString());
            for (Pending<?> p : todo) {
                List<Pending<?>> one = List.of(p);
                while (!one.isEmpty()) one = attempt(one, false);
            }
            return List.of();
        }
        onCommit.forEach(Runnable::run);
        return List.of();
    }

    /**
     * Tells the lease the versions a transaction committed under its term, before the commands
     * are answered: the versions it knows are then the database's (see {@link DecisionLease}).
     */
    private void learn(long term, Map<String, Long> versions) {
        if (term < 0) return;
        DecisionLease.Held held = lease.current();
        if (held != null && held.term == term) versions.forEach(held::learn);
    }

    /**
     * Applies the commands the decision lease does not fence (its own writes: renewals) first, in a
     * transaction of their own, so that a renewal waits for no more than the transaction running
     * when it came, nor for another instance's lease; returns the other commands.
     */
    private List<Pending<?>> applyUnfenced(List<Pending<?>> todo) {
        List<Pending<?>> unfenced = new ArrayList<>(0);
        for (Pending<?> p : todo) if (!p.command().fencedByLease()) unfenced.add(p);
        if (unfenced.isEmpty()) return todo;
        List<Pending<?>> fenced = new ArrayList<>(todo);
        fenced.removeAll(unfenced);
        while (!unfenced.isEmpty()) unfenced = attempt(unfenced, true);
        return fenced;
    }

    /**
     * Another instance holds the decision lease: that instance gives it up at its next beat (it
     * sees this one's row), or the lease runs out; the batch is applied again shortly, and fails
     * only when the wait grows long.
     */
    private List<Pending<?>> waitForLease(List<Pending<?>> todo, DecisionLease.HeldElsewhere held) {
        long now = System.nanoTime();
        if (leaseWaitSinceNanos == 0) leaseWaitSinceNanos = now;
        if (now - leaseWaitSinceNanos > DecisionLease.WAIT_MAX_NANOS) {
            leaseWaitSinceNanos = 0;
            OverloadedException e = new OverloadedException(held.getMessage() + " and has not given it up for "
                    + DecisionLease.WAIT_MAX_NANOS / 1_000_000_000 + " s; is that instance's clock or connection stalled?");
            for (Pending<?> p : todo) p.result().completeExceptionally(e);
            return List.of();
        }
        try {
            Thread.sleep(10);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        return todo;
    }

    private static final String LOCKED_ORG = " RETURNING org_id, plan_id, status, created_at_micros, state_version";
    /** Locks one org (its row) and bumps its version; SQLite's lock of each org, PostgreSQL's of a batch of one org. */
    private static final String LOCK_ONE = "UPDATE orgs SET state_version = state_version + 1 WHERE org_id = ?" + LOCKED_ORG;
    /** PostgreSQL: locks the orgs of the array in id order and bumps their versions. */
    private static final String LOCK_IN_ORDER = "UPDATE orgs SET state_version = state_version + 1 WHERE org_id IN"
            + " (SELECT org_id FROM orgs WHERE org_id = ANY (?) ORDER BY org_id FOR UPDATE)" + LOCKED_ORG;

    /** The batch's orgs as locked, what was read with the lock, and the decision lease's term the transaction runs under (-1: none). */
    private record Locked(Map<String, OrgBook.Locked> orgs, BatchReads.Result read, long leaseTerm) {}

    /**
     * Locks the batch's orgs (PostgreSQL: in id order, so two instances' batches cannot deadlock)
     * and adds one to their {@code state_version}, which tells every instance's decision cache
     * that the org's state changes with this commit (see {@link DecisionCache}). Returns the
     * orgs as locked, with the versions the batch commits with (orgs that exist), and what the
     * commands declared they will read, read after the lock in the same round trip (PostgreSQL).
     */
    private Locked lockOrgs(Connection tx, List<Pending<?>> batch, BatchReads reads) throws SQLException {
        TreeSet<String> orgIds = new TreeSet<>();
        boolean fenced = false;
        for (Pending<?> p : batch) {
            orgIds.addAll(p.command().orgIds());
            fenced |= p.command().fencedByLease();
        }
        Map<String, OrgBook.Locked> locked = new HashMap<>();
        if (db.dialect() == Database.Dialect.POSTGRES) {
            List<Query<?>> queries = new ArrayList<>();
            int leaseAt = -1;
            if (fenced) {
                // The decision lease: the shared lock, then (a statement of its own, so read once the lock is held) its row.
                queries.add(new Query<>(DecisionLease.WRITER_LOCK_SQL, (ps, first) -> first, rs -> null));
                leaseAt = queries.size();
                queries.add(leaseRead);
            }
            Query.Reader<Object> lockedRows = rs -> {
                while (rs.next()) put(locked, rs);
                return null;
            };
            if (orgIds.size() == 1) {
                // One org (most batches): a plain keyed UPDATE, which PostgreSQL plans once per
                // connection; the array form below is planned at every bind (~70 µs of its CPU).
                queries.add(new Query<>(LOCK_ONE, (ps, first) -> {
                    ps.setString(first, orgIds.first());
                    return first + 1;
                }, lockedRows));
            } else if (!orgIds.isEmpty()) {
                queries.add(new Query<>(LOCK_IN_ORDER, (ps, first) -> {
                            ps.setArray(first, tx.createArrayOf("text", orgIds.toArray()));
                            return first + 1;
                        }, lockedRows));
            }
            int lockQueries = queries.size();
            queries.addAll(reads.queries());
            List<Object> read = Query.runAll(tx, queries);
            return new Locked(locked, reads.isEmpty() ? BatchReads.Result.NONE : reads.result(read.subList(lockQueries, read.size())),
                    leaseAt < 0 ? -1 : (Long) read.get(leaseAt));
        }
        // SQLite: BEGIN IMMEDIATE has locked the whole file.
        long term = fenced ? leaseRead.run(tx) : -1;
        try (PreparedStatement ps = tx.prepareStatement(LOCK_ONE)) {
            for (String orgId : orgIds) {
                ps.setString(1, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) put(locked, rs);
                }
            }
        }
        return new Locked(locked, BatchReads.Result.NONE, term);
    }

    private static void put(Map<String, OrgBook.Locked> locked, ResultSet rs) throws SQLException {
        String orgId = rs.getString(1);
        locked.put(orgId, new OrgBook.Locked(new OrgRef(orgId, rs.getString(2), rs.getString(3), Times.instant(rs.getLong(4))),
                rs.getLong(5)));
    }

    private Connection connection() throws SQLException {
        if (connection == null) {
            Connection c = db.openWriterConnection();
            try {
                writeAheadLog = sqlite() ? WriteAheadLog.of(c) : null;
            } catch (SQLException e) {
                Database.closeQuietly(c);
                throw e;
            }
            connection = c;
        }
        return connection;
    }

    private boolean sqlite() {
        return db.dialect() == Database.Dialect.SQLITE;
    }

    /** SQLite: take the write lock now, so a second process waits (busy timeout) instead of failing on upgrade. */
    private void begin(Connection tx) throws SQLException {
        if (sqlite()) {
            Database.exec(tx, "BEGIN IMMEDIATE");
            inSqliteTransaction = true;
        }
    }

    private void commit(Connection tx) throws SQLException {
        if (sqlite()) {
            Database.exec(tx, "COMMIT");
            inSqliteTransaction = false;
            if (writeAheadLog != null) writeAheadLog.afterCommit(tx);
        } else {
            tx.commit();
        }
    }

    private void rollbackQuietly(Connection tx) {
        try {
            if (!sqlite()) tx.rollback();
            else if (inSqliteTransaction) Database.exec(tx, "ROLLBACK");
        } catch (SQLException e) {
            log.warn("rollback failed: {}", e.getMessage());
        } finally {
            inSqliteTransaction = false;
        }
    }

    private void closeConnection() {
        if (connection == null) return;
        try {
            connection.close();
        } catch (SQLException e) {
            log.warn("closing the writer connection failed: {}", e.getMessage());
        }
        connection = null;
    }

    /** Applies what is queued, then stops. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
