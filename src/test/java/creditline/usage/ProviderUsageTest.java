package creditline.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.pricing.TokenCounts;
import creditline.usage.ProviderUsage.Anthropic;
import creditline.usage.ProviderUsage.Gemini;
import creditline.usage.ProviderUsage.OpenAi;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The provider mappings of {@link ProviderUsage}, one vector per rule of its table. */
class ProviderUsageTest {
    /** Buckets in the order input, output, cacheWrite, cacheRead, cacheWrite1h, audioIn, audioOut, imageIn, imageOut. */
    private static TokenCounts t(long... b) {
        return new TokenCounts(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
    }

    private static OpenAi openAi(long prompt, long completion, long cached, long cacheWrite, long audioIn, long imageIn,
                                 long reasoning, long audioOut, long imageOut) {
        return new OpenAi(prompt, completion, cached, cacheWrite, audioIn, imageIn, reasoning, audioOut, imageOut);
    }

    private static Gemini gemini(long prompt, long candidates, long cached, long thoughts, long toolUse) {
        return new Gemini(prompt, candidates, cached, thoughts, toolUse, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    static Stream<Arguments> mappings() {
        return Stream.of(
                // name, mapping, expected buckets, expected tool calls
                Arguments.of("openai: prompt includes cached", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromOpenAi(openAi(1_000, 200, 300, 0, 0, 0, 0, 0, 0)), t(700, 200, 0, 300, 0, 0, 0, 0, 0), 0L),
                Arguments.of("openai: all cached", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromOpenAi(openAi(300, 0, 300, 0, 0, 0, 0, 0, 0)), t(0, 0, 0, 300, 0, 0, 0, 0, 0), 0L),
                Arguments.of("openai: reasoning stays inside output", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromOpenAi(openAi(100, 500, 0, 0, 0, 0, 400, 0, 0)), t(100, 500, 0, 0, 0, 0, 0, 0, 0), 0L),
                Arguments.of("openai: audio and image input come out of the prompt", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromOpenAi(openAi(1_000, 10, 100, 0, 300, 200, 0, 0, 0)), t(400, 10, 0, 100, 0, 300, 0, 200, 0), 0L),
                Arguments.of("openai: audio and image output come out of the completion", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromOpenAi(openAi(10, 1_000, 0, 0, 0, 0, 100, 600, 50)), t(10, 350, 0, 0, 0, 0, 600, 0, 50), 0L),
                Arguments.of("gateway: cache writes come out of the prompt", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromOpenAi(openAi(10_000, 50, 6_000, 3_000, 0, 0, 0, 0, 0)), t(1_000, 50, 3_000, 6_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: input excludes cache tokens", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromAnthropic(new Anthropic(50, 400, 2_000L, 10_000, null, null, 0)), t(50, 400, 2_000, 10_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: 5m and 1h cache writes", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromAnthropic(new Anthropic(50, 400, 3_000L, 0, 1_000L, 2_000L, 0)), t(50, 400, 1_000, 0, 2_000, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: breakdown without the total", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromAnthropic(new Anthropic(1, 2, null, 3, null, 700L, 0)), t(1, 2, 0, 3, 700, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: server tool requests are tool calls", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromAnthropic(new Anthropic(1, 2, null, 0, null, null, 4)), t(1, 2, 0, 0, 0, 0, 0, 0, 0), 4L),
                Arguments.of("gemini: prompt includes cached, thoughts are output", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromGemini(gemini(10_000, 300, 8_000, 1_200, 0)), t(2_000, 1_500, 0, 8_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("gemini: tool-use prompt is extra input", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromGemini(gemini(1_000, 10, 0, 0, 250)), t(1_250, 10, 0, 0, 0, 0, 0, 0, 0), 0L),
                Arguments.of("gemini: modalities, cached audio out of audio input", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromGemini(new Gemini(10_000, 2_000, 4_000, 100, 0, 10_000, 3_000, 1_000, 4_000, 500, 0,
                                2_000, 1_500, 0)), t(2_500, 600, 0, 4_000, 0, 2_500, 1_500, 1_000, 0), 0L),
                Arguments.of("gemini: cached without breakdown are text", (Supplier<ProviderUsage.Mapped>) () ->
                        ProviderUsage.fromGemini(new Gemini(1_000, 0, 600, 0, 0, 1_000, 400, 0, 0, 0, 0, 0, 0, 0)),
                        t(0, 0, 0, 600, 0, 400, 0, 0, 0), 0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mappings")
    void maps(String name, Supplier<ProviderUsage.Mapped> mapping, TokenCounts expected, long toolCalls) {
        ProviderUsage.Mapped m = mapping.get();
        assertThat(m.tokens()).isEqualTo(expected);
        assertThat(m.toolCalls()).isEqualTo(toolCalls);
    }

    static Stream<Arguments> inconsistent() {
        return Stream.of(
                // name, mapping, message fragment
                Arguments.of("openai: cached above prompt", (Runnable) () -> ProviderUsage.fromOpenAi(100, 5, 101),
                        "cached_tokens (101) + cache write tokens (0) + audio_tokens (0) + image_tokens (0) = 101 exceeds prompt_tokens (100)"),
                Arguments.of("openai: cached + cache writes above prompt", (Runnable) () ->
                        ProviderUsage.fromOpenAi(openAi(100, 0, 60, 41, 0, 0, 0, 0, 0)), "= 101 exceeds prompt_tokens (100)"),
                Arguments.of("openai: audio input above what is left", (Runnable) () ->
                        ProviderUsage.fromOpenAi(openAi(100, 0, 50, 0, 51, 0, 0, 0, 0)), "audio_tokens (51)"),
                Arguments.of("openai: reasoning above completion", (Runnable) () ->
                        ProviderUsage.fromOpenAi(openAi(0, 10, 0, 0, 0, 0, 11, 0, 0)), "reasoning_tokens (11) + audio_tokens (0) + image_tokens (0) = 11 exceeds completion_tokens (10)"),
                Arguments.of("openai: audio output above completion", (Runnable) () ->
                        ProviderUsage.fromOpenAi(openAi(0, 10, 0, 0, 0, 0, 5, 6, 0)), "= 11 exceeds completion_tokens (10)"),
                Arguments.of("anthropic: total differs from its breakdown", (Runnable) () ->
                        ProviderUsage.fromAnthropic(new Anthropic(1, 1, 3_001L, 0, 1_000L, 2_000L, 0)),
                        "cache_creation_input_tokens (3001) differs from cache_creation.ephemeral_5m_input_tokens (1000) + cache_creation.ephemeral_1h_input_tokens (2000) = 3000"),
                Arguments.of("gemini: cached above prompt", (Runnable) () -> ProviderUsage.fromGemini(gemini(100, 0, 101, 0, 0)),
                        "cachedContentTokenCount (101) exceeds promptTokenCount (100)"),
                Arguments.of("gemini: prompt details above prompt", (Runnable) () ->
                        ProviderUsage.fromGemini(new Gemini(100, 0, 0, 0, 0, 101, 0, 0, 0, 0, 0, 0, 0, 0)),
                        "promptTokensDetails add up to 101, more than promptTokenCount (100)"),
                Arguments.of("gemini: candidates details above candidates", (Runnable) () ->
                        ProviderUsage.fromGemini(new Gemini(0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11, 11, 0)),
                        "candidatesTokensDetails add up to 11, more than candidatesTokenCount (10)"),
                Arguments.of("gemini: cache details above cached", (Runnable) () ->
                        ProviderUsage.fromGemini(new Gemini(100, 0, 10, 0, 0, 100, 100, 0, 11, 11, 0, 0, 0, 0)),
                        "cacheTokensDetails add up to 11, more than cachedContentTokenCount (10)"),
                Arguments.of("gemini: cached audio above prompt audio", (Runnable) () ->
                        ProviderUsage.fromGemini(new Gemini(100, 0, 50, 0, 0, 100, 20, 0, 50, 21, 0, 0, 0, 0)),
                        "cached AUDIO/IMAGE tokens (21/0) exceed the prompt's AUDIO/IMAGE tokens (20/0)"),
                Arguments.of("gemini: text cache above text prompt", (Runnable) () ->
                        ProviderUsage.fromGemini(new Gemini(1_000, 0, 600, 0, 0, 1_000, 500, 0, 0, 0, 0, 0, 0, 0)),
                        "600 cached tokens that are not AUDIO or IMAGE exceed the 500 prompt tokens that are not AUDIO or IMAGE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inconsistent")
    void rejectsInconsistentObjects(String name, Runnable mapping, String message) {
        assertThatThrownBy(mapping::run).isInstanceOf(ProviderUsage.InconsistentUsage.class).hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void refusesNegativeCounts() {
        assertThatThrownBy(() -> ProviderUsage.fromAnthropic(-1, 0, 0, 0)).hasMessageContaining("anthropicUsage token counts must not be negative");
        assertThatThrownBy(() -> openAi(0, 0, -1, 0, 0, 0, 0, 0, 0)).hasMessageContaining("openaiUsage token counts must not be negative");
        assertThatThrownBy(() -> gemini(0, 0, 0, -5, 0)).hasMessageContaining("geminiUsage token counts must not be negative");
    }
}
