package creditline.usage;

import creditline.pricing.TokenCounts;

/**
 * Maps providers' native usage objects to the billed buckets of {@link TokenCounts}, each
 * token once. Providers report totals that <em>include</em> their breakdowns; the mapping
 * subtracts every breakdown from the total that contains it, and an object whose breakdowns
 * exceed their total is rejected as {@link InconsistentUsage}, never priced negative.
 *
 * <ul>
 *   <li><b>OpenAI</b> Chat Completions and Responses: {@code prompt_tokens}/{@code input_tokens}
 *       include cached tokens, audio and image tokens and (gateway extensions) cache writes:
 *       cacheRead = cached, cacheWrite = cache writes, audioInput = audio, imageInput = image,
 *       input = prompt − all of them. {@code completion_tokens}/{@code output_tokens} include
 *       reasoning, audio and image tokens: audioOutput = audio, imageOutput = image,
 *       output = completion − audio − image (reasoning stays in output).</li>
 *   <li><b>Anthropic</b>: {@code input_tokens} excludes the cache tokens. input = input_tokens,
 *       output = output_tokens, cacheRead = cache_read_input_tokens; cache writes are
 *       {@code cache_creation.ephemeral_5m_input_tokens} (cacheWrite) and
 *       {@code ephemeral_1h_input_tokens} (cacheWrite1h), whose sum is
 *       {@code cache_creation_input_tokens}; without the breakdown all cache writes are 5-minute.
 *       Server-side tool requests ({@code server_tool_use}) are tool calls.</li>
 *   <li><b>Gemini</b> {@code usageMetadata}: {@code promptTokenCount} includes
 *       {@code cachedContentTokenCount}; {@code thoughtsTokenCount} is output and is not inside
 *       {@code candidatesTokenCount}; {@code toolUsePromptTokenCount} is input and is not inside
 *       {@code promptTokenCount}. cacheRead = cached; audioInput/imageInput = the AUDIO/IMAGE
 *       prompt tokens minus the AUDIO/IMAGE cached tokens; input = prompt − cached − audioInput −
 *       imageInput + toolUsePrompt; audioOutput/imageOutput = the AUDIO/IMAGE candidates tokens;
 *       output = candidates − audioOutput − imageOutput + thoughts. Cached tokens without a
 *       modality breakdown are text.</li>
 * </ul>
 */
public final class ProviderUsage {
    private ProviderUsage() {}

    /** An object whose parts exceed the totals they belong to; the message names the fields and values. */
    public static final class InconsistentUsage extends IllegalArgumentException {
        public InconsistentUsage(String message) {
            super(message);
        }
    }

    /** Mapped usage: the billed buckets and the tool calls the provider reports (0 when it reports none). */
    public record Mapped(TokenCounts tokens, long toolCalls) {}

    /**
     * OpenAI usage (absent fields as 0). {@code cacheWriteTokens} is the gateway extension
     * ({@code cache_write_tokens} / {@code prompt_tokens_details.cache_write_tokens} /
     * {@code cached_write_tokens}), part of the prompt.
     */
    public record OpenAi(long promptTokens, long completionTokens, long cachedTokens, long cacheWriteTokens,
                         long audioPromptTokens, long imagePromptTokens,
                         long reasoningTokens, long audioCompletionTokens, long imageCompletionTokens) {
        public OpenAi {
            requireNonNegative("openaiUsage", promptTokens, completionTokens, cachedTokens, cacheWriteTokens, audioPromptTokens,
                    imagePromptTokens, reasoningTokens, audioCompletionTokens, imageCompletionTokens);
        }
    }

    /**
     * Anthropic usage. {@code cacheCreationInputTokens}, {@code ephemeral5mInputTokens} and
     * {@code ephemeral1hInputTokens} are null when absent; {@code serverToolRequests} is the sum
     * of the {@code server_tool_use} request counts.
     */
    public record Anthropic(long inputTokens, long outputTokens, Long cacheCreationInputTokens, long cacheReadInputTokens,
                            Long ephemeral5mInputTokens, Long ephemeral1hInputTokens, long serverToolRequests) {
        public Anthropic {
            requireNonNegative("anthropicUsage", inputTokens, outputTokens, orZero(cacheCreationInputTokens), cacheReadInputTokens,
                    orZero(ephemeral5mInputTokens), orZero(ephemeral1hInputTokens), serverToolRequests);
        }
    }

    /**
     * Gemini {@code usageMetadata}. The per-modality counts come from {@code promptTokensDetails},
     * {@code cacheTokensDetails} and {@code candidatesTokensDetails}; {@code *DetailsTokens} is
     * the sum over all modalities of a list (0 when absent).
     */
    public record Gemini(long promptTokenCount, long candidatesTokenCount, long cachedContentTokenCount,
                         long thoughtsTokenCount, long toolUsePromptTokenCount,
                         long promptDetailsTokens, long audioPromptTokens, long imagePromptTokens,
                         long cacheDetailsTokens, long audioCachedTokens, long imageCachedTokens,
                         long candidatesDetailsTokens, long audioCandidatesTokens, long imageCandidatesTokens) {
        public Gemini {
            requireNonNegative("geminiUsage", promptTokenCount, candidatesTokenCount, cachedContentTokenCount, thoughtsTokenCount,
                    toolUsePromptTokenCount, promptDetailsTokens, audioPromptTokens, imagePromptTokens, cacheDetailsTokens,
                    audioCachedTokens, imageCachedTokens, candidatesDetailsTokens, audioCandidatesTokens, imageCandidatesTokens);
        }
    }

    public static Mapped fromOpenAi(OpenAi u) {
        long prompt = u.promptTokens();
        long promptParts = sum(u.cachedTokens(), u.cacheWriteTokens(), u.audioPromptTokens(), u.imagePromptTokens());
        if (promptParts > prompt) {
            throw new InconsistentUsage("openaiUsage is inconsistent: cached_tokens (" + u.cachedTokens() + ") + cache write tokens ("
                    + u.cacheWriteTokens() + ") + audio_tokens (" + u.audioPromptTokens() + ") + image_tokens (" + u.imagePromptTokens()
                    + ") = " + promptParts + " exceeds prompt_tokens (" + prompt + "), which include them");
        }
        long completion = u.completionTokens();
        long completionParts = sum(u.reasoningTokens(), u.audioCompletionTokens(), u.imageCompletionTokens());
        if (completionParts > completion) {
            throw new InconsistentUsage("openaiUsage is inconsistent: reasoning_tokens (" + u.reasoningTokens() + ") + audio_tokens ("
                    + u.audioCompletionTokens() + ") + image_tokens (" + u.imageCompletionTokens() + ") = " + completionParts
                    + " exceeds completion_tokens (" + completion + "), which include them");
        }
        TokenCounts t = new TokenCounts(prompt - promptParts, completion - u.audioCompletionTokens() - u.imageCompletionTokens(),
                u.cacheWriteTokens(), u.cachedTokens(), 0, u.audioPromptTokens(), u.audioCompletionTokens(),
                u.imagePromptTokens(), u.imageCompletionTokens());
        return new Mapped(t, 0);
    }

    /** The OpenAI reference mapping: prompt (cached included), completion, cached. */
    public static TokenCounts fromOpenAi(long promptTokens, long completionTokens, long cachedTokens) {
        return fromOpenAi(new OpenAi(promptTokens, completionTokens, cachedTokens, 0, 0, 0, 0, 0, 0)).tokens();
    }

    public static Mapped fromAnthropic(Anthropic u) {
        long write5m;
        long write1h;
        if (u.ephemeral5mInputTokens() != null || u.ephemeral1hInputTokens() != null) {
            write5m = orZero(u.ephemeral5mInputTokens());
            write1h = orZero(u.ephemeral1hInputTokens());
            long both = sum(write5m, write1h);
            if (u.cacheCreationInputTokens() != null && u.cacheCreationInputTokens() != both) {
                throw new InconsistentUsage("anthropicUsage is inconsistent: cache_creation_input_tokens (" + u.cacheCreationInputTokens()
                        + ") differs from cache_creation.ephemeral_5m_input_tokens (" + write5m
                        + ") + cache_creation.ephemeral_1h_input_tokens (" + write1h + ") = " + both);
            }
        } else {
            write5m = orZero(u.cacheCreationInputTokens());
            write1h = 0;
        }
        TokenCounts t = new TokenCounts(u.inputTokens(), u.outputTokens(), write5m, u.cacheReadInputTokens(), write1h, 0, 0, 0, 0);
        return new Mapped(t, u.serverToolRequests());
    }

    /** The Anthropic reference mapping: every bucket unchanged, cache writes all 5-minute. */
    public static TokenCounts fromAnthropic(long inputTokens, long outputTokens, long cacheCreationTokens, long cacheReadTokens) {
        return fromAnthropic(new Anthropic(inputTokens, outputTokens, cacheCreationTokens, cacheReadTokens, null, null, 0)).tokens();
    }

    public static Mapped fromGemini(Gemini u) {
        long prompt = u.promptTokenCount();
        long cached = u.cachedContentTokenCount();
        if (cached > prompt) {
            throw new InconsistentUsage("geminiUsage is inconsistent: cachedContentTokenCount (" + cached
                    + ") exceeds promptTokenCount (" + prompt + "), which includes it");
        }
        within("promptTokensDetails", u.promptDetailsTokens(), "promptTokenCount", prompt);
        within("cacheTokensDetails", u.cacheDetailsTokens(), "cachedContentTokenCount", cached);
        within("candidatesTokensDetails", u.candidatesDetailsTokens(), "candidatesTokenCount", u.candidatesTokenCount());
        if (u.audioCachedTokens() > u.audioPromptTokens() || u.imageCachedTokens() > u.imagePromptTokens()) {
            throw new InconsistentUsage("geminiUsage is inconsistent: cached AUDIO/IMAGE tokens (" + u.audioCachedTokens() + "/"
                    + u.imageCachedTokens() + ") exceed the prompt's AUDIO/IMAGE tokens (" + u.audioPromptTokens() + "/"
                    + u.imagePromptTokens() + ")");
        }
        long audioInput = u.audioPromptTokens() - u.audioCachedTokens();
        long imageInput = u.imagePromptTokens() - u.imageCachedTokens();
        long otherPrompt = prompt - u.audioPromptTokens() - u.imagePromptTokens();
        long otherCached = cached - u.audioCachedTokens() - u.imageCachedTokens();
        if (otherCached > otherPrompt) {
            throw new InconsistentUsage("geminiUsage is inconsistent: " + otherCached + " cached tokens that are not AUDIO or IMAGE exceed the "
                    + otherPrompt + " prompt tokens that are not AUDIO or IMAGE (list the cached modalities in cacheTokensDetails)");
        }
        long audioOutput = u.audioCandidatesTokens();
        long imageOutput = u.imageCandidatesTokens();
        TokenCounts t = new TokenCounts(Math.addExact(otherPrompt - otherCached, u.toolUsePromptTokenCount()),
                Math.addExact(u.candidatesTokenCount() - audioOutput - imageOutput, u.thoughtsTokenCount()),
                0, cached, 0, audioInput, audioOutput, imageInput, imageOutput);
        return new Mapped(t, 0);
    }

    private static void within(String details, long detailsTokens, String total, long totalTokens) {
        if (detailsTokens > totalTokens) {
            throw new InconsistentUsage("geminiUsage is inconsistent: the tokenCounts of " + details + " add up to " + detailsTokens
                    + ", more than " + total + " (" + totalTokens + ")");
        }
    }

    private static void requireNonNegative(String what, long... counts) {
        for (long c : counts) {
            if (c < 0) throw new IllegalArgumentException(what + " token counts must not be negative, got " + c);
        }
    }

    private static long sum(long... parts) {
        long s = 0;
        for (long p : parts) s = Math.addExact(s, p);
        return s;
    }

    private static long orZero(Long v) { return v == null ? 0 : v; }
}
