package creditline.pricing;

/**
 * Token counts of one request in its billed buckets. The buckets are disjoint: every token of
 * the request is in exactly one of them, so {@link #total()} counts each token once.
 *
 * <ul>
 *   <li>{@code input}: uncached input that is not audio or image (text, video, documents, tool results);</li>
 *   <li>{@code output}: output that is not audio or image, reasoning tokens included;</li>
 *   <li>{@code cacheWrite}: input written to the cache with the default (5-minute) lifetime;</li>
 *   <li>{@code cacheRead}: input read from the cache, of any modality;</li>
 *   <li>{@code cacheWrite1h}: input written to the cache with a 1-hour lifetime;</li>
 *   <li>{@code audioInput}, {@code imageInput}: uncached audio and image input;</li>
 *   <li>{@code audioOutput}, {@code imageOutput}: audio and image output.</li>
 * </ul>
 * All counts are non-negative.
 */
public record TokenCounts(long input, long output, long cacheWrite, long cacheRead,
                          long cacheWrite1h, long audioInput, long audioOutput, long imageInput, long imageOutput) {
    public static final TokenCounts ZERO = new TokenCounts(0, 0, 0, 0);

    /** The billed buckets, in the order {@link Pricer} adds them. */
    public enum Bucket {
        INPUT, OUTPUT, CACHE_WRITE, CACHE_READ, CACHE_WRITE_1H, AUDIO_INPUT, AUDIO_OUTPUT, IMAGE_INPUT, IMAGE_OUTPUT;

        public long count(TokenCounts t) {
            return switch (this) {
                case INPUT -> t.input;
                case OUTPUT -> t.output;
                case CACHE_WRITE -> t.cacheWrite;
                case CACHE_READ -> t.cacheRead;
                case CACHE_WRITE_1H -> t.cacheWrite1h;
                case AUDIO_INPUT -> t.audioInput;
                case AUDIO_OUTPUT -> t.audioOutput;
                case IMAGE_INPUT -> t.imageInput;
                case IMAGE_OUTPUT -> t.imageOutput;
            };
        }
    }

    public TokenCounts {
        if (input < 0 || output < 0 || cacheWrite < 0 || cacheRead < 0 || cacheWrite1h < 0
                || audioInput < 0 || audioOutput < 0 || imageInput < 0 || imageOutput < 0) {
            throw new IllegalArgumentException("token counts must not be negative");
        }
    }

    /** Text-only counts in the four reference buckets (input, output, cache write, cache read). */
    public TokenCounts(long input, long output, long cacheWrite, long cacheRead) {
        this(input, output, cacheWrite, cacheRead, 0, 0, 0, 0, 0);
    }

    /** Input of every modality that was not cached: text, audio and image. */
    public long inputAllModalities() {
        return Math.addExact(input, Math.addExact(audioInput, imageInput));
    }

    /** Output of every modality. */
    public long outputAllModalities() {
        return Math.addExact(output, Math.addExact(audioOutput, imageOutput));
    }

    /** Cache writes of both lifetimes. */
    public long cacheWriteAllLifetimes() {
        return Math.addExact(cacheWrite, cacheWrite1h);
    }

    /** The prompt size that selects a long-context tier: all input, cache writes and cache reads. */
    public long promptTokens() {
        return Math.addExact(inputAllModalities(), Math.addExact(cacheWriteAllLifetimes(), cacheRead));
    }

    public long total() {
        return Math.addExact(promptTokens(), outputAllModalities());
    }
}
