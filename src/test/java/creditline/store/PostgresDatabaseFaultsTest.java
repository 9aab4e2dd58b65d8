package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import creditline.budget.BudgetSettings;
import creditline.testing.Databases;
import creditline.usage.EventOutcome;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The writer when PostgreSQL drops its connection: a connection the server ended is replaced
 * without failing the write; a commit whose answer was lost is reported as such, and the
 * decision lease stops trusting the versions it knows, so decisions see what that commit may
 * have written.
 */
class PostgresDatabaseFaultsTest extends StoreFixture {
    @Override
    String freshDatabase() {
        return Databases.freshPostgres();
    }

    /** Ends the writers' connections from the server's side, as a restart or pg_terminate_backend does. */
    private void terminateWriterConnections() throws SQLException {
        try (Connection c = store.database().readers().getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND application_name = 'creditline-writer'");
        }
    }

    private long memberRemaining() {
        return store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros();
    }

    @Test
    void aWriterConnectionTheServerEndedIsReplacedWithoutFailingTheWrite() throws Exception {
        org("o1", "pro");
        terminateWriterConnections();
        assertThat(store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", clock.instant(), 10, 0))))
                .extracting(EventOutcome::status).containsExactly(EventOutcome.Status.ACCEPTED);
        terminateWriterConnections();
        store.putBudgets("o1", new BudgetSettings(BudgetSettings.Budget.UNLIMITED, new BudgetSettings.Budget(micros("100"), true, true, 80)));
        assertThat(memberRemaining()).isEqualTo(micros("95"));
    }

    @Test
    void aConnectionThatDiesInTheMiddleOfABatchIsReplacedToo() throws Exception {
        org("o1", "pro");
        // The connection dies when the batch's events are inserted: the ingest code sees the error first.
        AtomicBoolean armed = new AtomicBoolean(false);
        store.database().wrapWriterConnections(c -> (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("prepare") && args != null && String.valueOf(args[0]).contains("usage_events (")
                            && armed.compareAndSet(true, false)) {
                        c.close();
                        throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                    }
                    try {
                        return method.invoke(c, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
        terminateWriterConnections(); // the writer opens a wrapped one
        store.ingest(List.of(event("e0", "o1", "a@x.io", "reply", clock.instant(), 10, 0)));
        armed.set(true);
        assertThat(store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", clock.instant(), 10, 0))))
                .extracting(EventOutcome::status).containsExactly(EventOutcome.Status.ACCEPTED);
        assertThat(armed).as("the fault happened").isFalse();
        assertThat(store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", clock.instant(), 10, 0))))
                .extracting(EventOutcome::status).containsExactly(EventOutcome.Status.DUPLICATE);
    }

    @Test
    void aCommitWhoseAnswerIsLostIsReportedAndDecisionsStillSeeIt() throws Exception {
        org("o1", "pro");
        store.putBudgets("o1", new BudgetSettings(BudgetSettings.Budget.UNLIMITED, new BudgetSettings.Budget(micros("100"), true, true, 80)));
        await("the lease is taken", store::holdsDecisionLease);
        assertThat(memberRemaining()).isEqualTo(micros("100")); // known in memory from now on

        // The next commit reaches the database, and its answer is lost with the connection.
        AtomicBoolean armed = new AtomicBoolean(true);
        store.database().wrapWriterConnections(c -> (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(c, args);
                        if (method.getName().equals("commit") && armed.compareAndSet(true, false)) {
                            c.close();
                            throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                }));
        terminateWriterConnections(); // the writer opens a wrapped one

        StoreFailure lost = catchThrowableOfType(StoreFailure.class,
                () -> store.authorize("o1", "a@x.io", "reply", "chat", micros("60"), 600L));
        assertThat(lost.unavailable()).isTrue();
        assertThat(lost.outcomeUnknown()).isTrue();
        // The hold was committed: every decision counts it, at once and after the lease is taken again.
        assertThat(memberRemaining()).isEqualTo(micros("40"));
        await("a new term of the lease", store::holdsDecisionLease);
        assertThat(memberRemaining()).isEqualTo(micros("40"));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", micros("50"), null).decision().allowed()).isFalse();
    }
}
