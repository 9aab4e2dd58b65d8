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

    /** One writer: these tests hold it to compose a batch of commands for several orgs. */
    @Override
    int postgresWriters() {
        return 1;
    }

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

    private void createProbeTable() {
        store.writer().execute(command(List.of(), tx -> {
            try (Statement s = tx.createStatement()) {
                s.execute("CREATE TABLE writer_probe (k TEXT PRIMARY KEY)");
            }
            return null;
        }));
    }

    private List<String> probeRows() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = store.database().readers().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT k FROM writer_probe ORDER BY k")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }

    /** The server stopping interrupts request threads: a queued write's outcome is still its answer. */
    @Test
    void aCallerInterruptedAfterQueuingGetsTheCommittedResult() throws Exception {
        createProbeTable();
        CompletableFuture<Void> holder = holdWriter();
        CompletableFuture<Object> answer = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                answer.complete(store.writer().execute(command(List.of(), tx -> insert(tx, "while-stopping"))));
            } catch (Throwable t) {
                answer.complete(t);
            }
            answer.complete(Thread.currentThread().isInterrupted());
        });
        Thread.sleep(300); // queued behind the held batch
        caller.interrupt();
        Thread.sleep(200);
        assertThat(answer).as("the caller waits for the writer, interrupted or not").isNotDone();
        release(List.of(holder));
        assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        caller.join(10_000);
        assertThat(probeRows()).containsExactly("while-stopping");
    }

    @Test
    void aCommandThatThrowsFailsAloneAndLeavesNothing() throws Exception {
        createProbeTable();
        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String key = "k" + i;
            // In order: command 7 must come after command 2, whose key it takes.
            if (i == 4) {
                queued.add(queueInOrder(() -> store.writer().execute(command(List.of(), tx -> {
                    insert(tx, key);
                    throw new IllegalStateException("command 4 refuses");
                }))));
            } else if (i == 7) {
                // a constraint violation: the key of command 2
                queued.add(queueInOrder(() -> store.writer().execute(command(List.of(), tx -> insert(tx, "k2")))));
            } else {
                queued.add(queueInOrder(() -> store.writer().execute(command(List.of(), tx -> insert(tx, key)))));
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

    /** Submits the call and returns once its command waits in the writer's queue, so calls queue in the order submitted. */
    private <R> CompletableFuture<R> queueInOrder(Supplier<R> call) throws InterruptedException {
        int before = store.writer().queued();
        CompletableFuture<R> f = async(call);
        for (int i = 0; i < 1_000 && store.writer().queued() == before; i++) Thread.sleep(2);
        assertThat(store.writer().queued()).as("the call queued its command").isEqualTo(before + 1);
        return f;
    }

    /**
     * Usage queued behind plain changes of its org in one batch sees them: on PostgreSQL the batch
     * read the org's members, restrictions, buckets and budgets with its lock, before those changes ran.
     */
    @Test
    void usageSeesTheChangesQueuedBeforeItInItsBatch() throws Exception {
        org("o", "pro");
        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        queued.add(queueInOrder(() -> store.putMember("o", "new@x.io", creditline.auth.Role.MEMBER, creditline.auth.Member.Type.USER)));
        queued.add(queueInOrder(() -> store.putRestrictions("o", "a@x.io", new creditline.budget.Restrictions(java.util.Set.of("local"), null))));
        queued.add(queueInOrder(() -> store.grant("o", micros("50"), NOW.plus(java.time.Duration.ofDays(1)), "promo"))); // expires first: drawn first
        queued.add(queueInOrder(() -> store.putBudgets("o", new creditline.budget.BudgetSettings(
                new creditline.budget.BudgetSettings.Budget(micros("10"), false, true, 50), creditline.budget.BudgetSettings.Budget.UNLIMITED))));
        queued.add(queueInOrder(() -> store.ingest(List.of(event("n1", "o", "new@x.io", "sonnet", NOW, 10_000, 1_000),
                event("a1", "o", "a@x.io", "sonnet", NOW, 10_000, 1_000)))));
        release(queued);
        holder.join();

        @SuppressWarnings("unchecked")
        List<EventOutcome> outcomes = (List<EventOutcome>) queued.get(4).join();
        assertThat(outcomes).extracting(EventOutcome::status).containsExactly(EventOutcome.Status.ACCEPTED, EventOutcome.Status.ACCEPTED);
        long charged = outcomes.get(0).creditsMicros() + outcomes.get(1).creditsMicros();
        assertThat(charged).isGreaterThanOrEqualTo(micros("5"));
        try (Connection c = store.database().readers().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT event_id, restricted FROM usage_events WHERE org_id = 'o' ORDER BY event_id")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + "=" + rs.getBoolean(2)).isEqualTo("a1=true");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1) + "=" + rs.getBoolean(2)).isEqualTo("n1=false");
            }
            try (ResultSet rs = st.executeQuery("SELECT consumed_micros FROM credit_buckets WHERE org_id = 'o' AND kind = 'GRANT'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(charged);
            }
        }
        assertThat(store.notifications("o", null, 10)).extracting(Alerts.Notification::scope, Alerts.Notification::thresholdPercent)
                .contains(org.assertj.core.groups.Tuple.tuple("org", 50));
    }

    @Test
    void decisionsInsideOneBatchSeeTheBatchsHoldsSettlementsAndReleases() throws Exception {
        org("o", "pro");
        store.putBudgets("o", new creditline.budget.BudgetSettings(creditline.budget.BudgetSettings.Budget.UNLIMITED,
                new creditline.budget.BudgetSettings.Budget(micros("20"), true, false, 80)));
        String r0 = store.authorize("o", "a@x.io", "reply", "chat", micros("4"), 600L).reservation().id();
        String r1 = store.authorize("o", "a@x.io", "reply", "chat", micros("3"), 600L).reservation().id();

        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("2"), 600L)));        // 20 - 0 - 7 left
        queued.add(queueInOrder(() -> store.ingest(List.of(new UsageEvent("settles-r0", "o", "a@x.io", "reply", "chat", NOW,
                creditline.pricing.TokenCounts.ZERO, 0, r0, false, UsageEvent.Details.NONE)))));                  // charges 5, frees 4
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("6"), 600L)));        // 20 - 5 - 5 left
        queued.add(queueInOrder(() -> store.release(r1)));                                                        // frees 3
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("11"), 600L)));       // 20 - 5 - 8 left: no
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("7"), 600L)));        // exactly what is left
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("1"), 600L)));        // nothing left
        release(queued);
        holder.join();

        long[] leftBefore = {13, -1, 10, -1, 7, 7, 0};
        boolean[] allowed = {true, false, true, false, false, true, false};
        for (int i : new int[] {0, 2, 4, 5, 6}) {
            Store.Authorization a = (Store.Authorization) queued.get(i).join();
            assertThat(a.decision().memberBudgetRemainingMicros()).as("member budget left before call " + i).isEqualTo(micros(Long.toString(leftBefore[i])));
            assertThat(a.decision().allowed()).as("call " + i + " allowed").isEqualTo(allowed[i]);
            assertThat(a.reservation() != null).isEqualTo(allowed[i]);
        }
        @SuppressWarnings("unchecked")
        List<EventOutcome> settled = (List<EventOutcome>) queued.get(1).join();
        assertThat(settled.get(0).status()).isEqualTo(EventOutcome.Status.ACCEPTED);
        assertThat(store.reservation(r0).status()).isEqualTo("SETTLED");
        assertThat(store.reservation(r1).status()).isEqualTo("RELEASED");
        // Committed, read afresh: the same state.
        assertThat(store.authorize("o", "a@x.io", "reply", "chat", micros("1"), null).decision().memberBudgetRemainingMicros()).isZero();
    }

    /**
     * A hold that expires during a batch counts for every decision of the batch: one member's
     * view read before the expiry and another's after it would grant a hold in the expired one's
     * place and show both beside each other (an org budget's remaining below zero).
     */
    @Test
    void aHoldExpiringDuringABatchCountsForEveryDecisionOfTheBatch() throws Exception {
        org("o", "pro");
        store.putMember("o", "b@x.io", creditline.auth.Role.MEMBER, creditline.auth.Member.Type.USER);
        store.putBudgets("o", new creditline.budget.BudgetSettings(new creditline.budget.BudgetSettings.Budget(micros("10"), true, false, 80),
                creditline.budget.BudgetSettings.Budget.UNLIMITED));
        store.authorize("o", "a@x.io", "reply", "chat", micros("6"), 1L); // expires at NOW + 1 s

        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        queued.add(queueInOrder(() -> store.authorize("o", "b@x.io", "reply", "chat", micros("1"), 600L)));  // 10 - 6 left
        queued.add(queueInOrder(() -> store.writer().execute(command(List.of(), tx -> {
            clock.set(NOW.plusSeconds(2)); // the first hold expires while the batch runs
            return null;
        }))));
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("6"), 600L)));  // 10 - 6 - 1 left: no
        queued.add(queueInOrder(() -> store.authorize("o", "b@x.io", "reply", "chat", micros("1"), 600L)));  // 10 - 6 - 1 left
        release(queued);
        holder.join();

        long[] leftBefore = {4, -1, 3, 3};
        boolean[] allowed = {true, false, false, true};
        for (int i : new int[] {0, 2, 3}) {
            Store.Authorization a = (Store.Authorization) queued.get(i).join();
            assertThat(a.decision().orgBudgetRemainingMicros()).as("org budget left before call " + i).isEqualTo(micros(Long.toString(leftBefore[i])));
            assertThat(a.decision().allowed()).as("call " + i + " allowed").isEqualTo(allowed[i]);
        }
        // Committed, read afresh at NOW + 2 s: the expired hold counts for nothing.
        assertThat(store.authorize("o", "a@x.io", "reply", "chat", micros("1"), null).decision().orgBudgetRemainingMicros()).isEqualTo(micros("8"));
    }

    @Test
    void aHoldClosedOnAnotherInstanceIsNotClosedAgainByThisWritersBatch() throws Exception {
        org("o", "pro");
        store.putBudgets("o", new creditline.budget.BudgetSettings(creditline.budget.BudgetSettings.Budget.UNLIMITED,
                new creditline.budget.BudgetSettings.Budget(micros("20"), true, false, 80)));
        String held = store.authorize("o", "a@x.io", "reply", "chat", micros("4"), 600L).reservation().id(); // known open to this writer
        anotherInstance().release(held);                                                                      // closed elsewhere: 20 left

        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("2"), 600L)));         // 20 left: reads the rows
        queued.add(queueInOrder(() -> store.ingest(List.of(new UsageEvent("late-settle", "o", "a@x.io", "reply", "chat", NOW,
                creditline.pricing.TokenCounts.ZERO, 0, held, false, UsageEvent.Details.NONE)))));             // charges 5, frees nothing
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("13"), 600L)));        // exactly what is left
        queued.add(queueInOrder(() -> store.authorize("o", "a@x.io", "reply", "chat", micros("1"), 600L)));         // nothing left
        release(queued);
        holder.join();

        assertThat(((Store.Authorization) queued.get(0).join()).decision().memberBudgetRemainingMicros()).isEqualTo(micros("20"));
        @SuppressWarnings("unchecked")
        List<EventOutcome> settled = (List<EventOutcome>) queued.get(1).join();
        assertThat(settled.get(0).status()).isEqualTo(EventOutcome.Status.ACCEPTED);
        Store.Authorization exact = (Store.Authorization) queued.get(2).join();
        assertThat(exact.decision().memberBudgetRemainingMicros()).isEqualTo(micros("13"));
        assertThat(exact.decision().allowed()).isTrue();
        Store.Authorization none = (Store.Authorization) queued.get(3).join();
        assertThat(none.decision().memberBudgetRemainingMicros()).isZero();
        assertThat(none.decision().allowed()).isFalse();
        assertThat(store.reservation(held).status()).isEqualTo("RELEASED");
        assertThat(store.reservation(held).settledEventId()).isNull();
    }

    /** Makes inserting rows of {@code orgId} into {@code table} fail, as a full disk or a broken constraint would. */
    abstract void failInserts(Connection tx, String table, String orgId) throws SQLException;

    @Test
    void postsQueuedTogetherAreAppliedAsOneAndGiveWhatTheyGiveOneAfterAnother() throws Exception {
        org("o", "pro");
        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        queued.add(queueInOrder(() -> store.ingest(List.of(event("x1", "o", "a@x.io", "sonnet", NOW, 1_000, 100),
                event("x2", "o", "a@x.io", "sonnet", NOW, 2_000, 100)))));
        queued.add(queueInOrder(() -> store.ingest(List.of(event("x1", "o", "a@x.io", "sonnet", NOW, 9_000, 900),     // sent again
                event("y", "o", "nobody@x.io", "sonnet", NOW, 1_000, 100)))));                                          // unknown member
        queued.add(queueInOrder(() -> store.ingest(List.of(event("x2", "o", "a@x.io", "sonnet", NOW, 1, 1),
                event("z", "o", "a@x.io", "sonnet", NOW, 3_000, 100), event("z", "o", "a@x.io", "sonnet", NOW, 5, 5)))));
        release(queued);
        holder.join();

        List<List<EventOutcome>> out = new ArrayList<>();
        for (CompletableFuture<?> f : queued) {
            @SuppressWarnings("unchecked")
            List<EventOutcome> o = (List<EventOutcome>) f.join();
            out.add(o);
        }
        long x1 = out.get(0).get(0).creditsMicros();
        long x2 = out.get(0).get(1).creditsMicros();
        assertThat(out.get(0)).extracting(EventOutcome::status).containsExactly(EventOutcome.Status.ACCEPTED, EventOutcome.Status.ACCEPTED);
        assertThat(out.get(1)).extracting(EventOutcome::status).containsExactly(EventOutcome.Status.DUPLICATE, EventOutcome.Status.REJECTED);
        assertThat(out.get(1).get(0).creditsMicros()).as("a duplicate answers the stored charge").isEqualTo(x1);
        assertThat(out.get(2)).extracting(EventOutcome::status)
                .containsExactly(EventOutcome.Status.DUPLICATE, EventOutcome.Status.ACCEPTED, EventOutcome.Status.DUPLICATE);
        assertThat(out.get(2).get(0).creditsMicros()).isEqualTo(x2);
        assertThat(out.get(2).get(2).creditsMicros()).isEqualTo(out.get(2).get(1).creditsMicros());
        assertThat(store.reconcile("o").events()).isEqualTo(3);
        assertThat(store.reconcile("o").eventsChargedMicros()).isEqualTo(x1 + x2 + out.get(2).get(1).creditsMicros());
        assertThat(store.reconcile("o").balanced()).isTrue();
    }

    @Test
    void whenAPostAppliedWithOthersFailsOnlyThatPostFails() throws Exception {
        onlyThePostOfTheBadOrgFails("usage_events"); // while the posts are applied as one
    }

    @Test
    void whenWritingTheBooksFailsOnlyTheCommandAtFaultFails() throws Exception {
        onlyThePostOfTheBadOrgFails("usage_periods"); // when the batch's books are written
    }

    /** Six posts in one batch, the fourth for an org whose rows cannot be inserted into {@code table}. */
    private void onlyThePostOfTheBadOrgFails(String table) throws Exception {
        org("good", "pro");
        org("bad", "pro");
        store.writer().execute(command(List.of(), tx -> {
            failInserts(tx, table, "bad");
            return null;
        }));
        CompletableFuture<Void> holder = holdWriter();
        List<CompletableFuture<?>> queued = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String org = i == 3 ? "bad" : "good";
            UsageEvent e = event("e" + i, org, "a@x.io", "sonnet", NOW, 1_000, 100);
            queued.add(queueInOrder(() -> store.ingest(List.of(e))));
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
