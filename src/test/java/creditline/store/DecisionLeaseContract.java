package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.budget.BudgetSettings;
import creditline.budget.Reason;
import creditline.usage.EventOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decision lease ({@link DecisionLease}), on every database: the only instance decides from
 * memory without reading versions; another instance (or a lease held elsewhere) makes it read them
 * again, and writes never run under a lease another instance holds.
 */
abstract class DecisionLeaseContract extends StoreFixture {
    /** Begins, on {@code c}, a write transaction of another instance as far as its lock (PostgreSQL) or the file's write lock (SQLite). */
    abstract void beginWriteTransaction(Connection c) throws SQLException;

    /** Begins, on {@code c}, a transaction that makes the lease's renewals wait. */
    abstract void blockRenewals(Connection c) throws SQLException;

    /** Ends the transaction begun on {@code c}. */
    abstract void end(Connection c) throws SQLException;

    String now() {
        return DecisionLease.now(store.database().dialect());
    }

    Connection connection() throws SQLException {
        return store.database().readers().getConnection();
    }

    void sql(String statement) throws SQLException {
        try (Connection c = connection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    /** Another instance, "elsewhere", present and holding the lease for the next {@code micros}. */
    void heldElsewhereFor(long micros) throws SQLException {
        sql("INSERT INTO decision_instances VALUES ('elsewhere', " + now() + " + " + micros + ")");
        sql("UPDATE decision_lease SET holder = 'elsewhere', term = term + 1, until_micros = " + now() + " + " + micros);
    }

    void memberBudget(String credits) {
        store.putBudgets("o1", new BudgetSettings(BudgetSettings.Budget.UNLIMITED, new BudgetSettings.Budget(micros(credits), true, true, 80)));
    }

    long memberRemaining(Store s) {
        return s.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros();
    }

    creditline.budget.Decision fresh(long estimate) throws SQLException {
        try (Connection c = store.database().readers().getConnection()) {
            Enforcement.Snapshot s = Enforcement.snapshot(c, new Catalog(), "o1", "a@x.io", clock.instant());
            return creditline.budget.Authorizer.decide(s.state(), "reply", "chat", estimate);
        }
    }

    void reply(Store s, String id) {
        assertThat(s.ingest(List.of(event(id, "o1", "a@x.io", "reply", clock.instant(), 10, 0))))
                .extracting(EventOutcome::status).containsExactly(EventOutcome.Status.ACCEPTED);
    }

    @Test
    void theOnlyInstanceDecidesFromMemoryExactlyWithoutReadingVersions() throws Exception {
        org("o1", "pro");
        memberBudget("12");
        await("the lease is taken", store::holdsDecisionLease);
        long reads = store.decisionVersionReads();
        for (int i = 0; i < 50; i++) assertThat(memberRemaining(store)).isEqualTo(micros("12"));
        reply(store, "r1"); // 5 credits a reply
        assertThat(memberRemaining(store)).isEqualTo(micros("7"));
        reply(store, "r2");
        reply(store, "r3");
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().reason()).isEqualTo(Reason.MEMBER_BUDGET_EXHAUSTED);
        memberBudget("100");
        assertThat(memberRemaining(store)).isEqualTo(micros("85"));
        creditline.budget.Decision before = store.authorize("o1", "a@x.io", "reply", "chat", micros("20"), null).decision();
        // A token limit the org is over: bumps the plan's orgs' versions from plain SQL.
        store.putPlan(new creditline.plan.Plan("pro", "pro", 0, "USD", micros("40000"), 20L, creditline.plan.Plan.Overage.BLOCK, null, List.of(), false));
        creditline.budget.Decision after = store.authorize("o1", "a@x.io", "reply", "chat", micros("20"), null).decision();
        assertThat(after).isNotEqualTo(before).isEqualTo(fresh(micros("20")));
        assertThat(store.holdsDecisionLease()).as("held throughout").isTrue();
        assertThat(store.decisionVersionReads()).as("versions read from the database").isEqualTo(reads);
    }

    @Test
    void aSecondInstanceMakesTheHolderGiveUpAndItsWritesAreSeenAtOnce() throws Exception {
        org("o1", "pro");
        memberBudget("12");
        await("the lease is taken", store::holdsDecisionLease);
        assertThat(memberRemaining(store)).isEqualTo(micros("12")); // an entry in memory
        Store second = open(db);
        try {
            reply(second, "r1"); // waits for the holder to give the lease up
            assertThat(store.holdsDecisionLease()).isFalse();
            assertThat(memberRemaining(store)).isEqualTo(micros("7"));
            long reads = store.decisionVersionReads();
            assertThat(memberRemaining(store)).isEqualTo(micros("7"));
            assertThat(store.decisionVersionReads()).as("a second instance: versions are read").isGreaterThan(reads);
            Thread.sleep(3 * DecisionLease.BEAT_MILLIS);
            assertThat(store.holdsDecisionLease()).as("not taken while another instance is present").isFalse();
            assertThat(second.holdsDecisionLease()).isFalse();
        } finally {
            second.close();
            second.database().close();
        }
        await("the lease is taken again once the other instance has left", store::holdsDecisionLease);
        reply(store, "r2");
        assertThat(memberRemaining(store)).isEqualTo(micros("2"));
    }

    @Test
    void writesWaitWhileAnotherInstanceHoldsTheLease() throws Exception {
        org("o1", "pro");
        memberBudget("12");
        await("the lease is taken", store::holdsDecisionLease);
        // Another instance takes the lease for 1.5 s (as one whose renewals stopped reaching the database would have it).
        heldElsewhereFor(1_500_000);
        await("the lease is no longer trusted here", () -> !store.holdsDecisionLease());
        long started = System.nanoTime();
        reply(store, "r1");
        assertThat((System.nanoTime() - started) / 1_000_000).as("ms waited for the other lease to run out").isGreaterThan(700);
        assertThat(memberRemaining(store)).isEqualTo(micros("7"));
        await("the lease is taken again once the other has run out", store::holdsDecisionLease);
    }

    @Test
    void aWriteFailsAsOverloadedWhenAnotherInstanceKeepsTheLease() throws Exception {
        org("o1", "pro");
        heldElsewhereFor(60_000_000);
        long started = System.nanoTime();
        assertThatThrownBy(() -> reply(store, "r1")).isInstanceOf(BatchingWriter.OverloadedException.class)
                .hasMessageContaining("(elsewhere) holds the decision lease and has not given it up for 10 s");
        assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(DecisionLease.WAIT_MAX_NANOS);
        sql("UPDATE decision_lease SET holder = NULL, until_micros = 0");
        reply(store, "r1"); // nothing of the failed post was written
        assertThat(balance("o1")).isEqualTo(micros("40000") - micros("5"));
    }

    @Test
    void trustEndsOnTimeWhenRenewalsStopReachingTheDatabase() throws Exception {
        org("o1", "pro");
        memberBudget("12");
        await("the lease is taken", store::holdsDecisionLease);
        try (Connection blocking = connection()) {
            blockRenewals(blocking);
            long started = System.nanoTime();
            await("the lease is no longer trusted", () -> !store.holdsDecisionLease());
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertThat(ms).as("ms until trust ended").isLessThanOrEqualTo(DecisionLease.TRUST_NANOS / 1_000_000 + 100);
            assertThat(memberRemaining(store)).isEqualTo(micros("12")); // decided from a version read
            end(blocking);
        }
        await("the lease is taken again", store::holdsDecisionLease);
        reply(store, "r1");
        assertThat(memberRemaining(store)).isEqualTo(micros("7"));
    }

    @Test
    void theLeaseIsTakenOnlyOnceNoWriteThatReadItBeforeIsRunning() throws Exception {
        org("o1", "pro");
        await("the lease is taken", store::holdsDecisionLease);
        sql("INSERT INTO decision_instances VALUES ('elsewhere', " + now() + " + 60000000)");
        await("the lease is given up for the other instance", () -> !store.holdsDecisionLease());
        sql("DELETE FROM decision_instances WHERE instance_id = 'elsewhere'");
        try (Connection writing = connection()) {
            beginWriteTransaction(writing); // a write transaction of the other instance, under way
            Thread.sleep(6 * DecisionLease.BEAT_MILLIS);
            assertThat(store.holdsDecisionLease()).as("taken while a write transaction that read the row may still commit").isFalse();
            end(writing);
        }
        await("the lease is taken once that transaction is over", store::holdsDecisionLease);
    }
}
