package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The batching writer's failure rules, with many commands in one batch: a command that throws
 * fails alone and leaves nothing behind; when writing the batch's books fails, only the command
 * whose changes could not be written fails.
 */
abstract class WriterContract extends StoreFixture {

    /** Holds the writer busy until {@link #release} so that commands queued meanwhile form one batch. */
    private final CountDownLatch hold = new CountDownLatch(1);

    private CompletableFuture<Void> holdWriter() throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> store.writer().execute(command(List.of(), tx -> {
            held.countDown();
            try {
                hold.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        })));
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        return holder;
    }

    private void release(List<CompletableFuture<?>> queued) throws InterruptedException {
        Thread.sleep(300); // the queued callers have submitted their commands
        hold.countDown();
        CompletableFuture.allOf(queued.stream().map(f -> f.exceptionally(t -> null)).toArray(CompletableFuture[]::new)).join();
    }

    private static <R> CompletableFuture<R> async(Supplier<R> s) {
        return CompletableFuture.supplyAsync(s, r -> Thread.ofVirtual().start(r));
    }

    interface Body<R> { R apply(Connection tx) throws SQLException; }

    private static <R> BatchingWriter.Command<R> command(Collection<String> orgs, Body<R> body) {
        return new BatchingWriter.Command<>() {
            @Override public Collection<String> orgIds() { return orgs; }
            @Override public R apply(WriteBatch batch) throws SQLException { return body.apply(batch.connection()); }
        };
    }

    private Integer insert(Connection tx, String key) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO writer_probe (k) VALUES (?)")) {
            ps.setString(1, key);
            return ps.executeUpdate();
        }
    }

    private List<String> probeRows() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = store.database().readers().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT k FROM writer_probe ORDER BY k")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    @Test
    void aCommandThatThrowsFailsAloneAndLeavesNothing() throws Exception {
        store.writer().execute(command(List.of(), tx -> {
            try (Statement s = tx.createStatement()) {
                s.execute("CREATE TABLE writer_probe (k TEXT PRIMARY KEY)");
            }
            return null;
        }));
        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String key = "k" + i;
            if (i == 4) {
                queued.add(async(() -> store.writer().execute(command(List.of(), tx -> {
                    insert(tx, key);
                    throw new IllegalStateException("command 4 refuses");
                }))));
            } else if (i == 7) {
                // a constraint violation: the key of command 2
                queued.add(async(() -> store.writer().execute(command(List.of(), tx -> insert(tx, "k2")))));
            } else {
                queued.add(async(() -> store.writer().execute(command(List.of(), tx -> insert(tx, key)))));
            }
        }
        release(queued);
        holder.join();

        for (int i = 0; i < 10; i++) {
            if (i == 4 || i == 7) assertThat(queued.get(i)).isCompletedExceptionally();
            else assertThat(queued.get(i).join()).isEqualTo(1);
        }
        assertThatThrownBy(queued.get(4)::join).hasRootCauseMessage("command 4 refuses");
        assertThat(probeRows()).containsExactly("k0", "k1", "k2", "k3", "k5", "k6", "k8", "k9");
    }

    /** Makes writing the period totals of {@code orgId} fail, as a full disk or a broken constraint would. */
    abstract void failPeriodTotalsOf(Connection tx, String orgId) throws SQLException;

    @Test
    void whenWritingTheBooksFailsOnlyTheCommandAtFaultFails() throws Exception {
        org("good", "pro");
        org("bad", "pro");
        store.writer().execute(command(List.of(), tx -> {
            failPeriodTotalsOf(tx, "bad");
            return null;
        }));
        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String org = i == 3 ? "bad" : "good";
            UsageEvent e = event("e" + i, org, "a@x.io", "sonnet", NOW, 1_000, 100);
            queued.add(async(() -> store.ingest(List.of(e))));
        }
        release(queued);
        holder.join();

        for (int i = 0; i < 6; i++) {
            if (i == 3) {
                assertThat(queued.get(i)).isCompletedExceptionally();
            } else {
                @SuppressWarnings("unchecked")
                List<EventOutcome> out = (List<EventOutcome>) queued.get(i).join();
                assertThat(out.get(0).status()).isEqualTo(EventOutcome.Status.ACCEPTED);
            }
        }
        assertThat(store.subscription("good").creditsUsedMicros()).isEqualTo(store.reconcile("good").eventsChargedMicros()).isPositive();
        assertThat(store.reconcile("good").events()).isEqualTo(5);
        assertThat(store.reconcile("good").balanced()).isTrue();
        assertThat(store.reconcile("bad").events()).isZero();
        assertThat(store.reconcile("bad").bucketsConsumedMicros()).isZero();
    }
}
