package creditline.usage;

/**
 * An org's usage since it began, summed as its period totals are ({@link PeriodTotals}: the same
 * buckets, so the two cannot drift apart). Every amount the ledger adds up for an org — its
 * periods, members, days, models, consumed credits — is part of these sums (an event's charge is
 * never above its nominal cost), so while the nominal cost and each token bucket stay within
 * {@link #LIMIT} no sum can leave the 64-bit range, and a sum of four token buckets cannot either.
 * An event that would take one past it is refused.
 */
public record LifetimeUsage(PeriodTotals totals) {
    /** 2^60: 1,152,921,504,606.846976 credits in micro-credits, or tokens of one bucket. */
    public static final long LIMIT = 1L << 60;

    /** Whether the org may record {@code e} and keep every sum within {@link #LIMIT}. */
    public boolean admits(PricedEvent e) {
        PeriodTotals t;
        try {
            t = totals.plus(e, 0);
        } catch (ArithmeticException overflow) {
            return false;
        }
        return t.nominalMicros() <= LIMIT && t.inputTokens() <= LIMIT && t.outputTokens() <= LIMIT && t.cacheWriteTokens() <= LIMIT
                && t.cacheReadTokens() <= LIMIT;
    }

    /** With {@code e} recorded (only after {@link #admits}). */
    public LifetimeUsage plus(PricedEvent e) {
        return new LifetimeUsage(totals.plus(e, 0));
    }
}
