package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads orgs' current {@code state_version} for {@link DecisionCache}, coalescing concurrent
 * requests: one thread, on a connection of its own, drains the waiting requests and answers
 * them all with reads that <em>start after</em> each of them arrived, so every answer is at
 * least as recent as a read of its own would have been — exactly what the cache needs — for
 * one PostgreSQL round trip per batch of requests (one query for all their orgs) and, on
 * SQLite, no pooled-connection checkout per request (measured: 54 against 61 µs of server CPU
 * per authorize, BENCHMARKS.md).
 */
final class OrgVersions implements AutoCloseable {
    private static final String ONE = "SELECT state_version FROM orgs WHERE org_id = ?";

    private static final Logger log = LoggerFactory.getLogger(OrgVersions.class);
    /** Orgs answered by one query at most; more wait for the next. */
    private static final int ORGS_PER_QUERY_MAX = 1_000;

    private record Ask(String orgId, CompletableFuture<Long> answer) {}

    private final Database db;
    private final LinkedBlockingQueue<Ask> asks = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private Connection connection;

    OrgVersions(Database db) {
        this.db = db;
        this.thread = Thread.ofPlatform().daemon().name("creditline-org-versions").start(this::loop);
    }

    /** The org's version now; -1 when the org does not exist. */
    long current(String orgId) throws SQLException {
        if (!running) throw new IllegalStateException("the store is closed");
        CompletableFuture<Long> answer = new CompletableFuture<>();
        asks.add(new Ask(orgId, answer));
        try {
            return answer.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the org's version", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) throw sql;
            throw new IllegalStateException("reading the org's version failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

    private void loop() {
        List<Ask> batch = new ArrayList<>();
        while (running) {
            try {
                Ask first = asks.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) continue;
                batch.add(first);
                asks.drainTo(batch, ORGS_PER_QUERY_MAX - 1);
                answer(batch);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (Throwable t) {
                for (Ask a : batch) a.answer().completeExceptionally(t);
            } finally {
                batch.clear();
            }
        }
        for (Ask a; (a = asks.poll()) != null; ) a.answer().completeExceptionally(new IllegalStateException("the store is closed"));
        closeConnection();
    }

    /** One query, started after every ask of the batch was made. */
    private void answer(List<Ask> batch) throws SQLException {
        Set<String> orgIds = new LinkedHashSet<>();
        for (Ask a : batch) orgIds.add(a.orgId());
        Map<String, Long> versions = new HashMap<>();
        try {
            if (connection == null) {
                connection = db.openReaderConnection();
            }
            if (db.dialect() == Database.Dialect.POSTGRES) {
                try (PreparedStatement ps = connection.prepareStatement("SELECT org_id, state_version FROM orgs WHERE org_id = ANY (?)")) {
                    ps.setArray(1, connection.createArrayOf("text", orgIds.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) versions.put(rs.getString(1), rs.getLong(2));
                    }
                }
            } else {
                try (PreparedStatement ps = connection.prepareStatement(ONE)) {
                    for (String orgId : orgIds) {
                        ps.setString(1, orgId);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (rs.next()) versions.put(orgId, rs.getLong(1));
                        }
                    }
                }
            }
        } catch (SQLException e) {
            log.warn("reading org versions failed: {}", e.getMessage());
            closeConnection(); // reopened by the next query
            throw e;
        }
        for (Ask a : batch) a.answer().complete(versions.getOrDefault(a.orgId(), -1L));
    }

    private void closeConnection() {
        Database.closeQuietly(connection);
        connection = null;
    }

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
