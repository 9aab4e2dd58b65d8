package creditline.pricing;

/**
 * A model's rate card. Token rates are micro-credits per 1,000,000 tokens; flat rates are
 * micro-credits per request and per tool call. {@code null} means "not configured".
 *
 * <p>Cache fallbacks (the reference rule): cache-write tokens use {@code cacheWritePer1M}, else
 * the input rate; cache-read tokens use {@code cacheReadPer1M}, else {@code cachedInputPer1M}
 * (the name some providers give the same discount), else the input rate.
 */
public record Rates(
        Long inputPer1MMicros,
        Long outputPer1MMicros,
        Long cacheWritePer1MMicros,
        Long cacheReadPer1MMicros,
        Long cachedInputPer1MMicros,
        Long perRequestMicros,
        Long perToolCallMicros) {

    public static final Rates NONE = new Rates(null, null, null, null, null, null, null);

    public Rates {
        for (Long rate : new Long[] {inputPer1MMicros, outputPer1MMicros, cacheWritePer1MMicros,
                cacheReadPer1MMicros, cachedInputPer1MMicros, perRequestMicros, perToolCallMicros}) {
            if (rate != null && rate < 0) throw new IllegalArgumentException("rates must not be negative");
        }
    }

    /** True when no rate at all is configured: such a model costs nothing. */
    public boolean isUnpriced() {
        return equals(NONE);
    }

    long input() { return orZero(inputPer1MMicros); }
    long output() { return orZero(outputPer1MMicros); }
    long cacheWrite() { return cacheWritePer1MMicros != null ? cacheWritePer1MMicros : input(); }

    long cacheRead() {
        if (cacheReadPer1MMicros != null) return cacheReadPer1MMicros;
        if (cachedInputPer1MMicros != null) return cachedInputPer1MMicros;
        return input();
    }

    long perRequest() { return orZero(perRequestMicros); }
    long perToolCall() { return orZero(perToolCallMicros); }

    private static long orZero(Long v) { return v == null ? 0 : v; }
}
