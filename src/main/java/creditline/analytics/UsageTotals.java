package creditline.analytics;

/**
 * Additive usage totals: events, charged and nominal micro-credits, and the four billed token
 * buckets. Sums are exact ({@link Math#addExact}).
 */
public record UsageTotals(long events, long chargedMicros, long nominalMicros,
                          long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens) {
    public static final UsageTotals ZERO = new UsageTotals(0, 0, 0, 0, 0, 0, 0);

    public UsageTotals plus(UsageTotals o) {
        return new UsageTotals(Math.addExact(events, o.events), Math.addExact(chargedMicros, o.chargedMicros),
                Math.addExact(nominalMicros, o.nominalMicros), Math.addExact(inputTokens, o.inputTokens),
                Math.addExact(outputTokens, o.outputTokens), Math.addExact(cacheWriteTokens, o.cacheWriteTokens),
                Math.addExact(cacheReadTokens, o.cacheReadTokens));
    }
}
