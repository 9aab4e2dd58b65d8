package creditline.pricing;

import creditline.pricing.TokenCounts.Bucket;
import java.math.BigInteger;

/**
 * Applies the credit formula: the sum over the billed buckets of {@code tokens/1e6 * rate}
 * (each bucket's rate after the fallbacks and long-context tier of {@link Rates}), plus
 * {@code perRequest + toolCalls*perToolCall}; with the four reference buckets that is
 * {@code input/1e6*in + output/1e6*out + cacheWrite/1e6*cw + cacheRead/1e6*cr + perRequest + toolCalls*perToolCall}.
 * The sum is exact; the event's total is rounded once, half-up, to {@code scale} decimals.
 */
public final class Pricer {
    private static final long TOKENS_PER_RATE_UNIT = 1_000_000L;
    private static final Bucket[] BUCKETS = Bucket.values();
    private final int scale;
    private final long unitMicros;

    /** @param scale decimals kept in each event's charge, 0..6 (2 by default) */
    public Pricer(int scale) {
        if (scale < 0 || scale > Credits.SCALE_MAX) {
            throw new IllegalArgumentException("charge scale must be between 0 and 6 decimals, got " + scale);
        }
        this.scale = scale;
        this.unitMicros = BigInteger.TEN.pow(Credits.SCALE_MAX - scale).longValueExact();
    }

    public int scale() { return scale; }

    /** The rounded charge in micro-credits; 0 for an unpriced model. */
    public long priceMicros(Rates rates, TokenCounts tokens, long toolCalls) {
        if (toolCalls < 0) throw new IllegalArgumentException("toolCalls must not be negative");
        long[] ratesPer1M = bucketRates(rates, tokens);
        try {
            // Sum in units of 1e-12 credits (micro-credits x 1e6): exact for every integer input.
            long sum = Math.multiplyExact(Math.addExact(rates.perRequest(), Math.multiplyExact(toolCalls, rates.perToolCall())),
                    TOKENS_PER_RATE_UNIT);
            for (int b = 0; b < BUCKETS.length; b++) {
                sum = Math.addExact(sum, Math.multiplyExact(BUCKETS[b].count(tokens), ratesPer1M[b]));
            }
            return roundHalfUp(sum);
        } catch (ArithmeticException overflow) {
            return priceMicrosWide(rates, tokens, toolCalls, ratesPer1M);
        }
    }

    /** Whether any bucket of this request is priced on the long-context tier. */
    public static boolean tierApplied(Rates rates, TokenCounts tokens) {
        for (Bucket b : BUCKETS) {
            if (b.count(tokens) > 0 && rates.tierApplies(b, tokens)) return true;
        }
        return false;
    }

    /** Each bucket's rate for this request, tier decided per bucket (the tier card is built only when used). */
    private static long[] bucketRates(Rates rates, TokenCounts tokens) {
        long[] out = new long[BUCKETS.length];
        Rates tierCard = null;
        for (int b = 0; b < BUCKETS.length; b++) {
            Bucket bucket = BUCKETS[b];
            if (bucket.count(tokens) == 0) continue;
            Rates card = rates;
            if (rates.tierApplies(bucket, tokens)) {
                if (tierCard == null) tierCard = rates.atTier();
                card = tierCard;
            }
            out[b] = card.ratePer1MMicros(bucket);
        }
        return out;
    }

    private long roundHalfUp(long sumPicos) {
        long divisor = Math.multiplyExact(TOKENS_PER_RATE_UNIT, unitMicros);
        long units = sumPicos / divisor;
        if (sumPicos % divisor * 2 >= divisor) units++;
        return Math.multiplyExact(units, unitMicros);
    }

    private long priceMicrosWide(Rates rates, TokenCounts tokens, long toolCalls, long[] ratesPer1M) {
        BigInteger sum = big(rates.perRequest()).add(big(toolCalls).multiply(big(rates.perToolCall())))
                .multiply(big(TOKENS_PER_RATE_UNIT));
        for (int b = 0; b < BUCKETS.length; b++) {
            sum = sum.add(big(BUCKETS[b].count(tokens)).multiply(big(ratesPer1M[b])));
        }
        BigInteger divisor = big(TOKENS_PER_RATE_UNIT).multiply(big(unitMicros));
        BigInteger[] qr = sum.divideAndRemainder(divisor);
        BigInteger units = qr[1].shiftLeft(1).compareTo(divisor) >= 0 ? qr[0].add(BigInteger.ONE) : qr[0];
        try {
            return units.multiply(big(unitMicros)).longValueExact();
        } catch (ArithmeticException e) {
            throw new ArithmeticException("the charge exceeds the largest amount the ledger holds (9,223,372,036,854.775807 credits)");
        }
    }

    private static BigInteger big(long v) { return BigInteger.valueOf(v); }
}
