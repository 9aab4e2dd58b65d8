package creditline.usage;

/**
 * Additive totals of one org's usage in one billing period. The token totals keep the four
 * reference buckets: audio and image input count as input, audio and image output as output,
 * 1-hour cache writes as cache writes, so {@link #totalTokens()} counts every token once.
 */
public record PeriodTotals(long events, long consumedMicros, long overageMicros, long nominalMicros,
                           long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens) {
    public static final PeriodTotals ZERO = new PeriodTotals(0, 0, 0, 0, 0, 0, 0, 0);

    public PeriodTotals plus(PricedEvent e, long overageMicros) {
        var t = e.event().tokens();
        return new PeriodTotals(events + 1, Math.addExact(consumedMicros, e.chargedMicros()),
                Math.addExact(this.overageMicros, overageMicros), Math.addExact(nominalMicros, e.nominalMicros()),
                Math.addExact(inputTokens, t.inputAllModalities()), Math.addExact(outputTokens, t.outputAllModalities()),
                Math.addExact(cacheWriteTokens, t.cacheWriteAllLifetimes()), Math.addExact(cacheReadTokens, t.cacheRead()));
    }

    public PeriodTotals plus(PeriodTotals o) {
        return new PeriodTotals(Math.addExact(events, o.events), Math.addExact(consumedMicros, o.consumedMicros),
                Math.addExact(overageMicros, o.overageMicros), Math.addExact(nominalMicros, o.nominalMicros),
                Math.addExact(inputTokens, o.inputTokens), Math.addExact(outputTokens, o.outputTokens),
                Math.addExact(cacheWriteTokens, o.cacheWriteTokens), Math.addExact(cacheReadTokens, o.cacheReadTokens));
    }

    public long totalTokens() {
        return Math.addExact(Math.addExact(inputTokens, outputTokens), Math.addExact(cacheWriteTokens, cacheReadTokens));
    }
}
