package creditline.usage;

/**
 * An org's usage since it began: its nominal cost and its tokens by reference bucket (as {@link
 * PeriodTotals} keeps them). Every amount the ledger adds up for an org — its periods, members,
 * days, models, consumed credits — is part of these sums (an event's charge is never above its
 * nominal cost), so while each stays within {@link #LIMIT} no sum can leave the 64-bit range, and
 * a sum of four token buckets cannot either. An event that would take one past it is refused.
 */
public record LifetimeUsage(long nominalMicros, long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens) {
    /** 2^60: 1,152,921,504,606.846976 credits in micro-credits, or tokens of one bucket. */
    public static final long LIMIT = 1L << 60;

    /** Whether the org may record {@code e} and keep every sum within {@link #LIMIT}. */
    public boolean admits(PricedEvent e) {
        var t = e.event().tokens();
        return within(nominalMicros, e.nominalMicros()) && within(inputTokens, t.inputAllModalities())
                && within(outputTokens, t.outputAllModalities()) && within(cacheWriteTokens, t.cacheWriteAllLifetimes())
                && within(cacheReadTokens, t.cacheRead());
    }

    /** With {@code e} recorded (only after {@link #admits}). */
    public LifetimeUsage plus(PricedEvent e) {
        var t = e.event().tokens();
        return new LifetimeUsage(nominalMicros + e.nominalMicros(), inputTokens + t.inputAllModalities(), outputTokens + t.outputAllModalities(),
                cacheWriteTokens + t.cacheWriteAllLifetimes(), cacheReadTokens + t.cacheRead());
    }

    private static boolean within(long sum, long more) {
        return more >= 0 && sum <= LIMIT && more <= LIMIT - sum;
    }
}
