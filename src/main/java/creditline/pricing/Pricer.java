package creditline.pricing;

import java.math.BigInteger;

/**
 * Applies the credit formula
 * {@code input/1e6*in + output/1e6*out + cacheWrite/1e6*cw + cacheRead/1e6*cr + perRequest + toolCalls*perToolCall}
 * exactly, then rounds the event's total once, half-up, to {@code scale} decimals.
 */
public final class Pricer {
    private static final long TOKENS_PER_RATE_UNIT = 1_000_000L;
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
        try {
            // Sum in units of 1e-12 credits (micro-credits x 1e6): exact for every integer input.
            long sum = Math.multiplyExact(tokens.input(), rates.input());
            sum = Math.addExact(sum, Math.multiplyExact(tokens.output(), rates.output()));
            sum = Math.addExact(sum, Math.multiplyExact(tokens.cacheWrite(), rates.cacheWrite()));
            sum = Math.addExact(sum, Math.multiplyExact(tokens.cacheRead(), rates.cacheRead()));
            long flat = Math.addExact(rates.perRequest(), Math.multiplyExact(toolCalls, rates.perToolCall()));
            sum = Math.addExact(sum, Math.multiplyExact(flat, TOKENS_PER_RATE_UNIT));
            return roundHalfUp(sum);
        } catch (ArithmeticException overflow) {
            return priceMicrosWide(rates, tokens, toolCalls);
        }
    }

    private long roundHalfUp(long sumPicos) {
        long divisor = Math.multiplyExact(TOKENS_PER_RATE_UNIT, unitMicros);
        long units = sumPicos / divisor;
        if (sumPicos % divisor * 2 >= divisor) units++;
        return Math.multiplyExact(units, unitMicros);
    }

    private long priceMicrosWide(Rates rates, TokenCounts tokens, long toolCalls) {
        BigInteger sum = big(tokens.input()).multiply(big(rates.input()))
                .add(big(tokens.output()).multiply(big(rates.output())))
                .add(big(tokens.cacheWrite()).multiply(big(rates.cacheWrite())))
                .add(big(tokens.cacheRead()).multiply(big(rates.cacheRead())))
                .add(big(rates.perRequest()).add(big(toolCalls).multiply(big(rates.perToolCall())))
                        .multiply(big(TOKENS_PER_RATE_UNIT)));
        BigInteger divisor = big(TOKENS_PER_RATE_UNIT).multiply(big(unitMicros));
        BigInteger[] qr = sum.divideAndRemainder(divisor);
        BigInteger units = qr[1].shiftLeft(1).compareTo(divisor) >= 0 ? qr[0].add(BigInteger.ONE) : qr[0];
        try {
            return units.multiply(big(unitMicros)).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("charge exceeds the largest representable amount");
        }
    }

    private static BigInteger big(long v) { return BigInteger.valueOf(v); }
}
