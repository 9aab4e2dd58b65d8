package creditline.usage;

/** Additive totals of one org's usage in one billing period. */
public record PeriodTotals(long events, long consumedMicros, long overageMicros, long nominalMicros,
                           long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens) {
    public static final PeriodTotals ZERO = new PeriodTotals(0, 0, 0, 0, 0, 0, 0, 0);

    public PeriodTotals plus(PricedEvent e, long overageMicros) {
        var t = e.event().tokens();
        return new PeriodTotals(events + 1, Math.addExact(consumedMicros, e.chargedMicros()),
                Math.addExact(this.overageMicros, overageMicros), Math.addExact(nominalMicros, e.nominalMicros()),
                Math.addExact(inputTokens, t.input()), Math.addExact(outputTokens, t.output()),
                Math.addExact(cacheWriteTokens, t.cacheWrite()), Math.addExact(cacheReadTokens, t.cacheRead()));
    }

    public long totalTokens() {
        return Math.addExact(Math.addExact(inputTokens, outputTokens), Math.addExact(cacheWriteTokens, cacheReadTokens));
    }
}
