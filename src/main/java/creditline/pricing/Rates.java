package creditline.pricing;

import creditline.pricing.TokenCounts.Bucket;

/**
 * A model's rate card. Token rates are micro-credits per 1,000,000 tokens; flat rates are
 * micro-credits per request and per tool call. {@code null} means "not configured"; a card
 * with nothing configured costs nothing.
 *
 * <p>Fallbacks, applied bucket by bucket:
 * <ul>
 *   <li>input: {@code inputPer1M}, else 0; output: {@code outputPer1M}, else 0;</li>
 *   <li>cache write (5 minutes): {@code cacheWritePer1M}, else the input rate;</li>
 *   <li>cache write (1 hour): {@code cacheWrite1hPer1M}, else the 5-minute cache-write rate
 *       (with its own fallback, so: else the input rate);</li>
 *   <li>cache read: {@code cacheReadPer1M}, else {@code cachedInputPer1M} (the name some
 *       providers give the same discount), else the input rate (the reference rule);</li>
 *   <li>audio and image input: their {@link Modality} rate, else the input rate; audio and
 *       image output: their {@link Modality} rate, else the output rate.</li>
 * </ul>
 *
 * <p>Long context: with a {@link Tier}, a request whose {@link TokenCounts#promptTokens() prompt}
 * (all input, cache writes and cache reads) is strictly above {@link Tier#thresholdTokens()} is
 * priced on the {@linkplain #atTier() tier card}: the base card with each rate the tier sets
 * replacing the base rate of the same field, then the fallbacks above. Rule
 * {@link TierRule#WHOLE_REQUEST} (default; the providers' published rule) moves every bucket of
 * such a request to the tier card; {@link TierRule#PER_BUCKET} moves a bucket only when that
 * bucket's own count is above the threshold. No tier: the base card for every request. Modality
 * rates and flat rates are not tiered.
 */
public record Rates(
        Long inputPer1MMicros,
        Long outputPer1MMicros,
        Long cacheWritePer1MMicros,
        Long cacheReadPer1MMicros,
        Long cachedInputPer1MMicros,
        Long perRequestMicros,
        Long perToolCallMicros,
        Long cacheWrite1hPer1MMicros,
        Modality modality,
        Tier tier) {

    public static final Rates NONE = new Rates(null, null, null, null, null, null, null);

    /** Per-modality token rates; {@code null} = the text rate of the same direction. */
    public record Modality(Long audioInputPer1MMicros, Long audioOutputPer1MMicros,
                           Long imageInputPer1MMicros, Long imageOutputPer1MMicros) {
        public static final Modality NONE = new Modality(null, null, null, null);

        public Modality {
            requireNonNegative(audioInputPer1MMicros, audioOutputPer1MMicros, imageInputPer1MMicros, imageOutputPer1MMicros);
        }
    }

    /** How a long-context tier applies to a request above its threshold. */
    public enum TierRule { WHOLE_REQUEST, PER_BUCKET }

    /**
     * A long-context tier: above {@code thresholdTokens} the rates given here replace the base
     * card's rates of the same fields ({@code null} = keep the base rate).
     */
    public record Tier(long thresholdTokens, TierRule rule, Long inputPer1MMicros, Long outputPer1MMicros,
                       Long cacheWritePer1MMicros, Long cacheWrite1hPer1MMicros, Long cacheReadPer1MMicros) {
        public Tier {
            if (thresholdTokens < 1) throw new IllegalArgumentException("a tier's threshold must be at least 1 token, got " + thresholdTokens);
            if (rule == null) throw new IllegalArgumentException("a tier needs its rule");
            requireNonNegative(inputPer1MMicros, outputPer1MMicros, cacheWritePer1MMicros, cacheWrite1hPer1MMicros, cacheReadPer1MMicros);
        }
    }

    public Rates {
        if (modality == null) modality = Modality.NONE;
        requireNonNegative(inputPer1MMicros, outputPer1MMicros, cacheWritePer1MMicros, cacheReadPer1MMicros,
                cachedInputPer1MMicros, perRequestMicros, perToolCallMicros, cacheWrite1hPer1MMicros);
    }

    /** The reference card: text token rates and flat rates only. */
    public Rates(Long inputPer1MMicros, Long outputPer1MMicros, Long cacheWritePer1MMicros, Long cacheReadPer1MMicros,
                 Long cachedInputPer1MMicros, Long perRequestMicros, Long perToolCallMicros) {
        this(inputPer1MMicros, outputPer1MMicros, cacheWritePer1MMicros, cacheReadPer1MMicros, cachedInputPer1MMicros,
                perRequestMicros, perToolCallMicros, null, Modality.NONE, null);
    }

    private static void requireNonNegative(Long... rates) {
        for (Long rate : rates) {
            if (rate != null && rate < 0) throw new IllegalArgumentException("rates must not be negative");
        }
    }

    /** True when no rate at all is configured: such a model costs nothing. */
    public boolean isUnpriced() {
        return equals(NONE);
    }

    /** The same card with other flat rates. */
    public Rates withFlatRates(Long perRequest, Long perToolCall) {
        return new Rates(inputPer1MMicros, outputPer1MMicros, cacheWritePer1MMicros, cacheReadPer1MMicros, cachedInputPer1MMicros,
                perRequest, perToolCall, cacheWrite1hPer1MMicros, modality, tier);
    }

    /** The card a long-context request is priced on: the tier's rates over the base rates (this card when there is no tier). */
    public Rates atTier() {
        if (tier == null) return this;
        return new Rates(or(tier.inputPer1MMicros(), inputPer1MMicros), or(tier.outputPer1MMicros(), outputPer1MMicros),
                or(tier.cacheWritePer1MMicros(), cacheWritePer1MMicros), or(tier.cacheReadPer1MMicros(), cacheReadPer1MMicros),
                cachedInputPer1MMicros, perRequestMicros, perToolCallMicros,
                or(tier.cacheWrite1hPer1MMicros(), cacheWrite1hPer1MMicros), modality, null);
    }

    /** Whether {@code bucket} of a request with {@code tokens} is priced on the tier card. */
    public boolean tierApplies(Bucket bucket, TokenCounts tokens) {
        if (tier == null) return false;
        long size = tier.rule() == TierRule.WHOLE_REQUEST ? tokens.promptTokens() : bucket.count(tokens);
        return size > tier.thresholdTokens();
    }

    /** The rate of {@code bucket} on this card after the fallbacks, in micro-credits per 1M tokens. */
    public long ratePer1MMicros(Bucket bucket) {
        return switch (bucket) {
            case INPUT -> orZero(inputPer1MMicros);
            case OUTPUT -> orZero(outputPer1MMicros);
            case CACHE_WRITE -> cacheWritePer1MMicros != null ? cacheWritePer1MMicros : ratePer1MMicros(Bucket.INPUT);
            case CACHE_WRITE_1H -> cacheWrite1hPer1MMicros != null ? cacheWrite1hPer1MMicros : ratePer1MMicros(Bucket.CACHE_WRITE);
            case CACHE_READ -> cacheReadPer1MMicros != null ? cacheReadPer1MMicros
                    : cachedInputPer1MMicros != null ? cachedInputPer1MMicros : ratePer1MMicros(Bucket.INPUT);
            case AUDIO_INPUT -> modality.audioInputPer1MMicros() != null ? modality.audioInputPer1MMicros() : ratePer1MMicros(Bucket.INPUT);
            case IMAGE_INPUT -> modality.imageInputPer1MMicros() != null ? modality.imageInputPer1MMicros() : ratePer1MMicros(Bucket.INPUT);
            case AUDIO_OUTPUT -> modality.audioOutputPer1MMicros() != null ? modality.audioOutputPer1MMicros() : ratePer1MMicros(Bucket.OUTPUT);
            case IMAGE_OUTPUT -> modality.imageOutputPer1MMicros() != null ? modality.imageOutputPer1MMicros() : ratePer1MMicros(Bucket.OUTPUT);
        };
    }

    long perRequest() { return orZero(perRequestMicros); }
    long perToolCall() { return orZero(perToolCallMicros); }

    private static long orZero(Long v) { return v == null ? 0 : v; }

    private static Long or(Long preferred, Long otherwise) { return preferred != null ? preferred : otherwise; }
}
