package creditline.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import creditline.pricing.Model;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;

/**
 * One write transaction of the {@link BatchingWriter}, as its commands see it: the connection,
 * and each org's {@link OrgBook} of changes not yet written. Commands of one batch add their
 * ledger, totals and rollup changes to the books; the writer writes them once, before the
 * commit ({@link #flush}), so a batch of many small commands costs a few statements per org
 * rather than a dozen per command.
 *
 * <p>The rows in the database plus the books are the true state at every moment of the batch.
 * A command that reads those rows with plain SQL must {@link #flush} first (the writer does so
 * for every command that does not declare itself book-aware).
 */
final class WriteBatch {
    private final Connection connection;
    private final Map<String, OrgBook> books = new LinkedHashMap<>();
    /** Models read by this batch; models change only through plain commands, which flush first. */
    private final Map<String, Model> models = new HashMap<>();
    /** The state_version each org of the batch commits with (bumped when the batch began). */
    private final Map<String, Long> versions;
    private final DecisionCache decisions;
    /** Plain SQL ran: rows changed outside the books, so no decision can be carried across this commit. */
    private boolean flushedEarly;

    /** @param decisions the instance's decision cache, carried across the commit; null for none */
    WriteBatch(Connection connection, Map<String, Long> versions, DecisionCache decisions) {
        this.connection = connection;
        this.versions = versions;
        this.decisions = decisions;
    }

    Connection connection() {
        return connection;
    }

    /** The org's book, opened on first use; null when the org does not exist. */
    OrgBook book(String orgId) {
        OrgBook b = books.get(orgId);
        if (b == null) {
            b = OrgBook.open(connection, orgId, flushedEarly ? null : decisions, versions.getOrDefault(orgId, -1L));
            if (b != null) books.put(orgId, b);
        }
        return b;
    }

    Map<String, Model> models(Catalog catalog, Set<String> ids) {
        Set<String> missing = new HashSet<>(ids);
        missing.removeAll(models.keySet());
        if (!missing.isEmpty()) models.putAll(catalog.models(connection, missing));
        Map<String, Model> out = new HashMap<>();
        for (String id : ids) {
            Model m = models.get(id);
            if (m != null) out.put(id, m);
        }
        return out;
    }

    /** Writes the books before a command's plain SQL (which may change any row, so nothing is carried across this commit). */
    void flushForPlainSql() throws SQLException {
        flushedEarly = true;
        flush();
    }

    /**
     * The decision cache's entries as this batch's commit leaves its orgs, computed from the
     * books before they are written: to run after the commit, before anyone is answered.
     */
    Runnable decisionsAtCommit() {
        if (decisions == null || flushedEarly) return () -> {};
        Instant now = decisions.now();
        Map<String, Map<String, DecisionCache.Entry>> carried = new HashMap<>();
        for (OrgBook b : books.values()) {
            Map<String, DecisionCache.Entry> entries = b.decisionsAtCommit(now);
            if (!entries.isEmpty()) carried.put(b.ref().id(), entries);
        }
        return () -> carried.forEach((org, entries) -> entries.forEach((member, e) -> decisions.put(org, member, e)));
    }

    /** Writes every book's pending changes and forgets the books (their cached reads may be stale after plain SQL). */
    void flush() throws SQLException {
        for (OrgBook b : books.values()) b.flush(connection);
        books.clear();
        models.clear();
    }
}
