package creditline.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

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
 */
final class DecisionCache implements AutoCloseable {
    /** Beyond this many members the cache starts over (a bound on memory, ~200 bytes a member). */
    static final int ENTRIES_MAX = 200_000;

    private record Key(String orgId, String memberId) {}

    private record Entry(Enforcement.Snapshot snapshot, long readAtMicros) {
        boolean validAt(long nowMicros) {
            return nowMicros >= readAtMicros && nowMicros < snapshot.validUntilMicros();
        }
    }

    private final Database db;
    private final Catalog catalog;
    private final OrgVersions versions;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

    DecisionCache(Database db, Catalog catalog) {
        this.db = db;
        this.catalog = catalog;
        this.versions = new OrgVersions(db);
    }

    /** The member's snapshot at {@code now}: from memory while still exact, else read afresh. */
    Enforcement.Snapshot snapshot(String orgId, String memberId, Instant now) throws SQLException {
        Key key = new Key(orgId, memberId);
        long nowMicros = Times.micros(now);
        Entry cached = entries.get(key);
        if (cached != null && cached.validAt(nowMicros) && cached.snapshot().version() == versions.current(orgId)) return cached.snapshot();
        Enforcement.Snapshot fresh;
        try (Connection c = db.readers().getConnection()) {
            fresh = Enforcement.snapshot(c, catalog, orgId, memberId, now);
        }
        if (fresh.memberExists()) {
            if (entries.size() >= ENTRIES_MAX) entries.clear();
            entries.put(key, new Entry(fresh, nowMicros));
        }
        return fresh;
    }

    @Override
    public void close() {
        versions.close();
    }
}
