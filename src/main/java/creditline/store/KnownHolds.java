package creditline.store;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Reservations the writer knows to be open, by org, as of the org's {@code state_version}: the
 * holds it opened itself and has not seen closed. With the org locked and its version one past
 * the one recorded here, nobody else has touched the org's reservations since (every change of
 * a reservation goes through a writer, which bumps the version), so a usage event that settles a
 * known hold needs no read of the hold: the batch's {@link OrgBook} closes it in memory and
 * writes the settlement together with the batch's other holds when it flushes.
 *
 * <p>A subset of the open holds, never more: a hold not known here is read from its row. The
 * version is what keeps it true; writing a settlement checks the row still was open besides
 * ({@link Stale}). Used by the writer thread only.
 */
final class KnownHolds {
    /** Beyond this many holds in all, tracking starts over (a bound on memory, ~150 bytes a hold). */
    static final int HOLDS_MAX = 100_000;

    /**
     * What was known of an org's holds turned out wrong (its rows changed where this writer did
     * not track them) and has been forgotten: the writer applies the batch again, reading the
     * holds from their rows.
     */
    static final class Stale extends IllegalStateException {
        Stale(String message) { super(message); }
    }

    /** An open hold's unchanging part: whose, how much, until when. */
    record Hold(String memberId, long amountMicros, Instant expiresAt) {}

    private record OrgHolds(long version, Map<String, Hold> open) {}

    private final Map<String, OrgHolds> byOrg = new HashMap<>();
    private int size;

    /**
     * The org's known open holds (a copy, by reservation id) when they are its state just before
     * a batch that commits with {@code version}; else an empty map: nothing known.
     */
    Map<String, Hold> before(String orgId, long version) {
        OrgHolds h = byOrg.get(orgId);
        return h != null && version >= 0 && h.version() == version - 1 ? new HashMap<>(h.open()) : new HashMap<>();
    }

    /** Keeps the holds known open once a batch that committed with {@code version} is durable; those expired by {@code now} are dropped. */
    void committed(String orgId, long version, Map<String, Hold> open, Instant now) {
        open.values().removeIf(h -> !h.expiresAt().isAfter(now));
        OrgHolds old = byOrg.remove(orgId);
        if (old != null) size -= old.open().size();
        if (open.isEmpty()) return;
        if (size + open.size() > HOLDS_MAX) {
            byOrg.clear();
            size = 0;
        }
        byOrg.put(orgId, new OrgHolds(version, open));
        size += open.size();
    }

    /** Forgets what is known of the org: its rows disagreed with it, or changed where a batch did not track them. */
    void forget(String orgId) {
        OrgHolds old = byOrg.remove(orgId);
        if (old != null) size -= old.open().size();
    }
}
