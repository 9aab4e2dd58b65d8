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
     * The org's known open holds, taken for a batch that commits with {@code version}: when they
     * are the org's state just before it, the map itself (the batch changes it in place and hands
     * it back with {@link #committed}); else an empty map. Either way, nothing is known of the
     * org until the batch commits: a batch that fails, or carries nothing, leaves it forgotten.
     */
    Map<String, Hold> take(String orgId, long version) {
        OrgHolds h = byOrg.remove(orgId);
        if (h == null) return new HashMap<>();
        size -= h.open().size();
        return version >= 0 && h.version() == version - 1 ? h.open() : new HashMap<>();
    }

    /**
     * Keeps the holds known open once a batch that committed with {@code version} is durable.
     * Holds that expire stay until settled or until the bound makes tracking start over.
     */
    void committed(String orgId, long version, Map<String, Hold> open) {
        if (open.isEmpty()) return;
        if (size + open.size() > HOLDS_MAX) {
            byOrg.clear();
            size = 0;
        }
        byOrg.put(orgId, new OrgHolds(version, open));
        size += open.size();
    }
}
