package creditline.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import creditline.pricing.Model;
import java.util.HashMap;
import java.util.HashSet;
import java.util.ArrayList;
import java.util.List;
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
    private final boolean postgres;
    private final Map<String, OrgBook> books = new LinkedHashMap<>();
    /** Models read by this batch; models change only through plain commands, which flush first. */
    private final Map<String, Model> models = new HashMap<>();
    /** The batch's orgs as it locked them, with the state_version each commits with (bumped when the batch began). */
    private final Map<String, OrgBook.Locked> locked;
    private final DecisionCache decisions;
    private final KnownHolds knownHolds;
    /** What the batch read when it began (see {@link BatchReads}): for books opened before plain SQL ran. */
    private final BatchReads.Result read;
    /** Plain SQL ran: rows changed outside the books, so no decision can be carried across this commit. */
    private boolean flushedEarly;
    /** Versions of orgs the batch did not lock, bumped by its plain SQL (a plan's edit). */
    private final Map<String, Long> alsoBumped = new HashMap<>();

    /**
     * @param decisions the instance's decision cache, carried across the commit; null for none
     * @param knownHolds the writer's known open holds, carried across the commit
     */
    WriteBatch(Connection connection, boolean postgres, Map<String, OrgBook.Locked> locked, BatchReads.Result read, DecisionCache decisions,
               KnownHolds knownHolds) {
        this.connection = connection;
        this.postgres = postgres;
        this.read = read;
        this.models.putAll(read.models());
        this.locked = locked;
        this.decisions = decisions;
        this.knownHolds = knownHolds;
    }

    Connection connection() {
        return connection;
    }

    /** Plain SQL bumped the version of an org the batch did not lock (a plan's edit does, for the plan's orgs). */
    void bumped(String orgId, long version) {
        alsoBumped.merge(orgId, version, Math::max);
    }

    /** Every org's version this batch commits with: those it locked, and those its plain SQL bumped. */
    Map<String, Long> versionsAtCommit() {
        Map<String, Long> out = new HashMap<>(alsoBumped);
        locked.forEach((org, l) -> out.merge(org, l.version(), Math::max));
        return out;
    }

    /** Written on PostgreSQL, else SQLite. */
    boolean postgres() {
        return postgres;
    }

    /** The org's book, opened on first use; null when the org does not exist. */
    OrgBook book(String orgId) {
        OrgBook b = books.get(orgId);
        if (b == null) {
            // After plain SQL the org's row may have changed since it was locked, and nothing is carried.
            b = flushedEarly ? OrgBook.open(connection, postgres, orgId, null, null, null, null)
                    : OrgBook.open(connection, postgres, orgId, locked.get(orgId), decisions, knownHolds, read.orgs().get(orgId));
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
     * What the writer keeps in memory across this batch's commit — the decision cache's entries
     * and the known open holds, as the commit leaves its orgs — computed from the books before
     * they are written: to run after the commit, before anyone is answered.
     */
    Runnable carriedAtCommit(Instant now) {
        if (flushedEarly) return () -> {};
        List<Runnable> carry = new ArrayList<>();
        for (OrgBook b : books.values()) carry.add(b.knownHoldsAtCommit());
        if (decisions != null) {
            Map<String, Map<String, DecisionCache.Entry>> carried = new HashMap<>();
            for (OrgBook b : books.values()) {
                Map<String, DecisionCache.Entry> entries = b.decisionsAtCommit(now);
                if (!entries.isEmpty()) carried.put(b.ref().id(), entries);
            }
            carry.add(() -> carried.forEach((org, entries) -> entries.forEach((member, e) -> decisions.put(org, member, e))));
        }
        return () -> carry.forEach(Runnable::run);
    }

    /**
     * Writes every book's pending changes (all orgs' rows together: one round trip on PostgreSQL),
     * raises the alerts they call for, and forgets the books (their cached reads may be stale after plain SQL).
     */
    void flush() throws SQLException {
        BulkWrites w = new BulkWrites();
        for (OrgBook b : books.values()) b.addChanges(w);
        w.write(connection, postgres);
        OrgBook.checkSettled(w);
        for (OrgBook b : books.values()) b.raiseAlerts(connection);
        books.clear();
        models.clear();
    }
}
