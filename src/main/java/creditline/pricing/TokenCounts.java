package creditline.pricing;

/** Token counts of one request, in the four billed buckets. All non-negative. */
public record TokenCounts(long input, long output, long cacheWrite, long cacheRead) {
    public static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0);

    public TokenCounts {
        if (input < 0 || output < 0 || cacheWrite < 0 || cacheRead < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    public long total() {
        return Math.addExact(Math.addExact(input, output), Math.addExact(cacheWrite, cacheRead));
    }
}
