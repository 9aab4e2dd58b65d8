package creditline.pricing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Conversions between decimal credit amounts and micro-credits. */
public final class Credits {
    public static final long MICROS_PER_CREDIT = 1_000_000L;
    public static final int SCALE_MAX = 6;
    /** The largest credit amount accepted anywhere (budgets, grants, plans, rates): a billion credits. */
    public static final BigDecimal CREDITS_MAX = new BigDecimal("1000000000");

    private Credits() {}

    /**
     * Parses a decimal amount (e.g. {@code "12.35"}) into micro-credits.
     *
     * @throws IllegalArgumentException when it has more than 6 fractional digits or does not fit
     */
    public static long parseMicros(BigDecimal credits) {
        if (credits.stripTrailingZeros().scale() > SCALE_MAX) {
            throw new IllegalArgumentException("at most " + SCALE_MAX + " fractional digits are allowed, got " + credits.toPlainString());
        }
        try {
            return credits.movePointRight(SCALE_MAX).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("amount out of range: " + credits.toPlainString());
        }
    }

    public static long parseMicros(String credits) {
        try {
            return parseMicros(new BigDecimal(credits.strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a decimal number: '" + credits + "'");
        }
    }

    /** Renders micro-credits as a decimal string with at least 2 and at most 6 fractional digits. */
    public static String format(long micros) {
        // Digit arithmetic, not BigDecimal: exports format two amounts per row, millions of rows.
        long whole = micros / MICROS_PER_CREDIT;
        long fraction = Math.abs(micros % MICROS_PER_CREDIT);
        int digits = SCALE_MAX;
        while (digits > 2 && fraction % 10 == 0) {
            fraction /= 10;
            digits--;
        }
        StringBuilder s = new StringBuilder(24);
        if (micros < 0 && whole == 0) s.append('-');
        s.append(whole).append('.');
        String f = Long.toString(fraction);
        for (int pad = digits - f.length(); pad > 0; pad--) s.append('0');
        return s.append(f).toString();
    }

    /** Converts a USD amount to micro-credits at {@code creditsPerUsd}, rounding half-up to micro-credits; at most {@link #CREDITS_MAX} credits. */
    public static long fromUsd(BigDecimal usd, BigDecimal creditsPerUsd) {
        BigDecimal credits = usd.multiply(creditsPerUsd).setScale(SCALE_MAX, RoundingMode.HALF_UP);
        if (credits.compareTo(CREDITS_MAX) > 0) {
            throw new IllegalArgumentException("$" + usd.toPlainString() + " at " + creditsPerUsd.toPlainString() + " credits per USD is "
                    + credits.stripTrailingZeros().toPlainString() + " credits, above the largest amount, " + CREDITS_MAX.toPlainString());
        }
        return parseMicros(credits);
    }
}
