package creditline.usage;

import creditline.pricing.TokenCounts;

/**
 * Maps providers' native usage objects to the four billed buckets.
 *
 * <ul>
 *   <li>OpenAI (Chat Completions and Responses): {@code prompt_tokens}/{@code input_tokens}
 *       <em>include</em> {@code cached_tokens}; uncached input = prompt - cached, cache read = cached.
 *       {@code completion_tokens}/{@code output_tokens} are output (reasoning tokens are inside them).</li>
 *   <li>Anthropic: {@code input_tokens} <em>excludes</em> {@code cache_creation_input_tokens} and
 *       {@code cache_read_input_tokens}; each maps to its own bucket unchanged.</li>
 * </ul>
 */
public final class ProviderUsage {
    private ProviderUsage() {}

    /** @throws IllegalArgumentException when cached exceeds the prompt tokens or a count is negative */
    public static TokenCounts fromOpenAi(long promptTokens, long completionTokens, long cachedTokens) {
        requireNonNegative("prompt_tokens", promptTokens);
        requireNonNegative("completion_tokens", completionTokens);
        requireNonNegative("cached_tokens", cachedTokens);
        if (cachedTokens > promptTokens) {
            throw new IllegalArgumentException("openaiUsage is inconsistent: cached_tokens (" + cachedTokens
                    + ") exceeds prompt_tokens (" + promptTokens + "), which include them");
        }
        return new TokenCounts(promptTokens - cachedTokens, completionTokens, 0, cachedTokens);
    }

    public static TokenCounts fromAnthropic(long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens) {
        requireNonNegative("input_tokens", inputTokens);
        requireNonNegative("output_tokens", outputTokens);
        requireNonNegative("cache_creation_input_tokens", cacheCreationTokens);
        requireNonNegative("cache_read_input_tokens", cacheReadTokens);
        return new TokenCounts(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens);
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) throw new IllegalArgumentException(field + " must not be negative, got " + value);
    }
}
