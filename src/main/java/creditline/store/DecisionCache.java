package creditline.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Decision snapshots of {@code authorize} (without a reservation) kept in memory, so the hot
 * path reads one small row instead of the whole snapshot: the org's {@code state_version}
 * ({@link OrgVersions}: one read for many concurrent requests).
 *
 * <p>A snapshot is used only while it is exactly what a fresh read would give: every write
 * transaction that changes an org's rows adds one to the org's version (the writer does it for
 * the orgs a command names, a plan's edit for the orgs on the plan), in the same transaction, on
 * whichever instance made it; and what changes by time alone — the month, an open hold's expiry,
 * a credit bucket's start or expiry — ends the snapshot's validity
 * ({@link Enforcement.Snapshot#validUntilMicros()}). So a decision is as exact as reading the
 * rows, the moment a write is acknowledged, across instances sharing a database.
 *
 * <p>The writer carries entries across its own commits (see {@link WriteBatch#carriedAtCommit}):
 * an entry read just before a batch, plus what the batch's org book changed, is the state the
 * commit leaves, so it is put back under the new version and authorize does not go back to the
 * rows after every usage batch; the reservation path starts from such an entry too.
 *
 * <p>While this instance holds the {@link DecisionLease} (no other instance on the database or
 * the SQLite file), the org's current version is known without a read: the versions its writers
 * committed, or that reads begun within the lease's term saw.
 */
final class DecisionCache implements AutoCloseable {
    /** Beyond this many members the cache starts over (a bound on memory, ~200 bytes a member). */
    static final int ENTRIES_MAX = 200_000;

    /** A snapshot and when it was read: it holds from then until its {@code validUntilMicros}. */
    record Entry(Enforcement.Snapshot snapshot, long readAtMicros) {
        boolean validAt(long nowMicros) {
            return nowMicros >= readAtMicros && nowMicros < snapshot.validUntilMicros();
        }
    }

    private final Database db;
    private final Catalog catalog;
    private final OrgVersions versions;
    private final DecisionLease lease;
    private final java.util.concurrent.atomic.LongAdder versionReads = new java.util.concurrent.atomic.LongAdder();
    /** Org → member → entry. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Entry>> byOrg = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    DecisionCache(Database db, Catalog catalog, DecisionLease lease) {
        this.db = db;
        this.catalog = catalog;
        this.lease = lease;
        this.versions = new OrgVersions(db);
    }

    /** The member's snapshot at {@code now}: from memory while still exact, else read afresh. */
    Enforcement.Snapshot snapshot(String orgId, String memberId, Instant now) throws SQLException {
        long nowMicros = Times.micros(now);
        Entry cached = entry(orgId, memberId);
        // Taken before any read below, so that what those reads see is learnt only if they began within the term.
        DecisionLease.Held held = lease.trusted();
        if (cached != null && cached.validAt(nowMicros)) {
            long version = cached.snapshot().version();
            long current = held == null ? -1 : held.known(orgId);
            if (current < 0) {
                versionReads.increment();
                current = versions.current(orgId);
                if (held != null) held.learn(orgId, current);
            }
            if (version == current) return cached.snapshot();
        }
        Enforcement.Snapshot fresh;
        try (Connection c = db.readers().getConnection()) {
            fresh = Enforcement.snapshot(c, catalog, orgId, memberId, now);
        }
        if (fresh.memberExists()) {
            if (held != null) held.learn(orgId, fresh.version());
            put(orgId, memberId, new Entry(fresh, nowMicros));
        }
        return fresh;
    }

    /** How many decisions have read their org's version from the database (none while the decision lease is held and the versions known). */
    long versionReads() {
        return versionReads.sum();
    }

    Entry entry(String orgId, String memberId) {
        Map<String, Entry> members = byOrg.get(orgId);
        return members == null ? null : members.get(memberId);
    }

    /** The org's entries (a live view: the writer reads it to carry entries across its commit). */
    Map<String, Entry> entries(String orgId) {
        return byOrg.getOrDefault(orgId, EMPTY);
    }

    private static final ConcurrentHashMap<String, Entry> EMPTY = new ConcurrentHashMap<>();

    /**
     * Keeps the entry. Only exact entries may be put: a snapshot of the rows as of its version, or
     * (from the writer, after its commit) a snapshot carried to the state that commit made.
     */
    void put(String orgId, String memberId, Entry e) {
        if (size.get() >= ENTRIES_MAX) {
            byOrg.clear();
            size.set(0);
        }
        if (byOrg.computeIfAbsent(orgId, k -> new ConcurrentHashMap<>()).put(memberId, e) == null) size.incrementAndGet();
    }

    @Override
    public void close() {
        versions.close();
    }
}
