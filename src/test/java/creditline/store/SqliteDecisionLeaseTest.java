package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** On SQLite every write transaction holds the file's write lock: it both fences a lease's taking and holds its renewals. */
class SqliteDecisionLeaseTest extends DecisionLeaseContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }

    @Override
    void beginWriteTransaction(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
        }
    }

    @Override
    void blockRenewals(Connection c) throws SQLException {
        beginWriteTransaction(c);
    }

    @Override
    void end(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("ROLLBACK");
        }
    }

    /**
     * The instance's own writer running long transactions back to back (ingest of large batches)
     * does not starve the lease's renewals: they would otherwise wait for the file's write lock,
     * which the writer takes again right after each commit, until the lease ran out.
     */
    @Test
    void theLeaseStaysHeldWhileTheWriterRunsLongTransactionsBackToBack() throws Exception {
        org("o1", "pro");
        await("the lease is taken", store::holdsDecisionLease);
        AtomicBoolean busy = new AtomicBoolean(true);
        List<Thread> submitters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            submitters.add(Thread.ofPlatform().start(() -> {
                while (busy.get()) store.writer().execute(new LongCommand());
            }));
        }
        long lapses = 0;
        long until = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < until) {
            if (!store.holdsDecisionLease()) lapses++;
            Thread.sleep(20);
        }
        busy.set(false);
        for (Thread t : submitters) t.join();
        assertThat(lapses).as("samples (every 20 ms for 5 s) without the lease").isZero();
    }

    /**
     * The lease's own writes (its renewals, taking and giving up go through the writer on SQLite)
     * are not fenced by a lease another instance holds, which makes every other write wait.
     */
    @Test
    void theLeasesOwnWritesDoNotWaitForALeaseHeldElsewhere() throws Exception {
        org("o1", "pro");
        heldElsewhereFor(30_000_000);
        long started = System.nanoTime();
        Integer one = store.writer().execute(new BatchingWriter.Command<Integer>() {
            @Override public Collection<String> orgIds() { return List.of(); }
            @Override public boolean fencedByLease() { return false; }
            @Override public Integer apply(WriteBatch batch) throws SQLException {
                try (Statement s = batch.connection().createStatement(); java.sql.ResultSet rs = s.executeQuery("SELECT holder FROM decision_lease")) {
                    rs.next();
                    return "elsewhere".equals(rs.getString(1)) ? 1 : 0;
                }
            }
        });
        assertThat(one).isEqualTo(1);
        assertThat(System.nanoTime() - started).as("applied at once, not after the wait for the lease").isLessThan(2_000_000_000L);
    }

    /** Holds the writer's transaction for 100 ms. */
    private static final class LongCommand implements BatchingWriter.Command<Void> {
        @Override
        public Collection<String> orgIds() {
            return List.of("o1");
        }

        @Override
        public Void apply(WriteBatch batch) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }
    }
}
