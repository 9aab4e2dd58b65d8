package creditline.ledger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Draws charges from an org's credit buckets in expiry order. Mutable, used for one write
 * transaction: load the buckets, {@link #draw} each new event's charge, then persist
 * {@link #changed()}.
 */
public final class Drawdown {
    /** Expiring first is spent first; no expiry last; ties by creation time, then id. */
    static final Comparator<CreditBucket> SPEND_ORDER = Comparator
            .comparing(CreditBucket::expiresAt, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(CreditBucket::createdAt)
            .thenComparing(CreditBucket::id);

    private final List<CreditBucket> buckets;
    private final boolean[] changed;

    public Drawdown(List<CreditBucket> buckets) {
        this.buckets = new ArrayList<>(buckets);
        this.buckets.sort(SPEND_ORDER);
        this.changed = new boolean[this.buckets.size()];
    }

    /** Draws {@code amountMicros} for an event at {@code at}; returns the part no bucket covered (overage). */
    public long draw(Instant at, long amountMicros) {
        long left = amountMicros;
        for (int i = 0; i < buckets.size() && left > 0; i++) {
            CreditBucket b = buckets.get(i);
            if (!b.validAt(at) || b.remainingMicros() == 0) continue;
            long take = Math.min(left, b.remainingMicros());
            buckets.set(i, b.withConsumed(b.consumedMicros() + take));
            changed[i] = true;
            left -= take;
        }
        return left;
    }

    /** Every bucket, as drawn so far. */
    public List<CreditBucket> buckets() {
        return List.copyOf(buckets);
    }

    public List<CreditBucket> changed() {
        List<CreditBucket> out = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) if (changed[i]) out.add(buckets.get(i));
        return out;
    }

    /** Sum of what remains in the buckets valid at {@code at}. */
    public static long availableMicros(List<CreditBucket> buckets, Instant at) {
        long sum = 0;
        for (CreditBucket b : buckets) if (b.validAt(at)) sum = Math.addExact(sum, b.remainingMicros());
        return sum;
    }
}
