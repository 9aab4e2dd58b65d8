package creditline.api.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import creditline.common.Failure;
import creditline.pricing.Pricer;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.testing.RandomRates;
import creditline.testing.Seeds;
import creditline.testing.TestServer;
import creditline.usage.ProviderUsage;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Native usage objects as JSON (the parser and the mapping together): one vector per rule of the
 * README's mapping table, the inconsistent and malformed inputs, and the property that a native
 * object and the explicit {@code tokens} it stands for are priced the same.
 */
class NativeUsageTest {
    private static JsonNode json(String s) {
        return Json.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static ProviderUsage.Mapped usage(String event) {
        return UsageParser.usage(json(event));
    }

    /** Buckets: input, output, cacheWrite, cacheRead, cacheWrite1h, audioIn, audioOut, imageIn, imageOut. */
    private static TokenCounts t(long... b) {
        return new TokenCounts(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
    }

    static Stream<Arguments> vectors() {
        return Stream.of(
                // name, event fields, expected buckets, tool calls from the provider
                Arguments.of("chat: cached inside prompt, reasoning inside completion",
                        "{\"openaiUsage\": {\"prompt_tokens\": 1000, \"completion_tokens\": 500, \"total_tokens\": 1500,"
                                + " \"prompt_tokens_details\": {\"cached_tokens\": 300},"
                                + " \"completion_tokens_details\": {\"reasoning_tokens\": 400, \"accepted_prediction_tokens\": 0}}}",
                        t(700, 500, 0, 300, 0, 0, 0, 0, 0), 0L),
                Arguments.of("responses: input_tokens and output_tokens",
                        "{\"openaiUsage\": {\"input_tokens\": 1000, \"output_tokens\": 50, \"input_tokens_details\": {\"cached_tokens\": 1000},"
                                + " \"output_tokens_details\": {\"reasoning_tokens\": 20}}}",
                        t(0, 50, 0, 1_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("chat: audio in and out",
                        "{\"openaiUsage\": {\"prompt_tokens\": 900, \"completion_tokens\": 700,"
                                + " \"prompt_tokens_details\": {\"cached_tokens\": 100, \"audio_tokens\": 500},"
                                + " \"completion_tokens_details\": {\"audio_tokens\": 600, \"reasoning_tokens\": 0}}}",
                        t(300, 100, 0, 100, 0, 500, 600, 0, 0), 0L),
                Arguments.of("chat: image tokens",
                        "{\"openaiUsage\": {\"prompt_tokens\": 900, \"completion_tokens\": 700,"
                                + " \"prompt_tokens_details\": {\"image_tokens\": 800}, \"completion_tokens_details\": {\"image_tokens\": 650}}}",
                        t(100, 50, 0, 0, 0, 0, 0, 800, 650), 0L),
                Arguments.of("gateway: top-level cache_write_tokens",
                        "{\"openaiUsage\": {\"prompt_tokens\": 10000, \"completion_tokens\": 5, \"cache_write_tokens\": 3000,"
                                + " \"prompt_tokens_details\": {\"cached_tokens\": 6000}}}",
                        t(1_000, 5, 3_000, 6_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("gateway: prompt_tokens_details.cache_write_tokens",
                        "{\"openaiUsage\": {\"prompt_tokens\": 10000, \"completion_tokens\": 5,"
                                + " \"prompt_tokens_details\": {\"cached_tokens\": 6000, \"cache_write_tokens\": 3000}}}",
                        t(1_000, 5, 3_000, 6_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("gateway: prompt_tokens_details.cached_write_tokens",
                        "{\"openaiUsage\": {\"prompt_tokens\": 10000, \"completion_tokens\": 5,"
                                + " \"prompt_tokens_details\": {\"cached_tokens\": 6000, \"cached_write_tokens\": 3000}}}",
                        t(1_000, 5, 3_000, 6_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("gateway: the same cache writes in two places count once",
                        "{\"openaiUsage\": {\"prompt_tokens\": 10000, \"completion_tokens\": 5, \"cache_write_tokens\": 3000,"
                                + " \"prompt_tokens_details\": {\"cache_write_tokens\": 3000}}}",
                        t(7_000, 5, 3_000, 0, 0, 0, 0, 0, 0), 0L),
                Arguments.of("chat and responses names that agree",
                        "{\"openaiUsage\": {\"prompt_tokens\": 10, \"input_tokens\": 10, \"completion_tokens\": 2}}",
                        t(10, 2, 0, 0, 0, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: every bucket apart, writes 5-minute",
                        "{\"anthropicUsage\": {\"input_tokens\": 50, \"output_tokens\": 400, \"cache_creation_input_tokens\": 2000,"
                                + " \"cache_read_input_tokens\": 10000, \"service_tier\": \"standard\"}}",
                        t(50, 400, 2_000, 10_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: 5m and 1h writes",
                        "{\"anthropicUsage\": {\"input_tokens\": 50, \"output_tokens\": 400, \"cache_creation_input_tokens\": 3000,"
                                + " \"cache_creation\": {\"ephemeral_5m_input_tokens\": 1000, \"ephemeral_1h_input_tokens\": 2000}}}",
                        t(50, 400, 1_000, 0, 2_000, 0, 0, 0, 0), 0L),
                Arguments.of("anthropic: server tool use",
                        "{\"anthropicUsage\": {\"input_tokens\": 5, \"output_tokens\": 6,"
                                + " \"server_tool_use\": {\"web_search_requests\": 2, \"web_fetch_requests\": 1}}}",
                        t(5, 6, 0, 0, 0, 0, 0, 0, 0), 3L),
                Arguments.of("gemini: cached inside prompt, thoughts beside candidates, tool-use prompt beside prompt",
                        "{\"geminiUsage\": {\"promptTokenCount\": 10000, \"cachedContentTokenCount\": 8000, \"candidatesTokenCount\": 300,"
                                + " \"thoughtsTokenCount\": 1200, \"toolUsePromptTokenCount\": 250, \"totalTokenCount\": 11750}}",
                        t(2_250, 1_500, 0, 8_000, 0, 0, 0, 0, 0), 0L),
                Arguments.of("gemini: modalities",
                        "{\"geminiUsage\": {\"promptTokenCount\": 10000, \"cachedContentTokenCount\": 4000, \"candidatesTokenCount\": 2000,"
                                + " \"promptTokensDetails\": [{\"modality\": \"TEXT\", \"tokenCount\": 6000}, {\"modality\": \"AUDIO\", \"tokenCount\": 3000},"
                                + " {\"modality\": \"IMAGE\", \"tokenCount\": 1000}],"
                                + " \"cacheTokensDetails\": [{\"modality\": \"TEXT\", \"tokenCount\": 3500}, {\"modality\": \"AUDIO\", \"tokenCount\": 500}],"
                                + " \"candidatesTokensDetails\": [{\"modality\": \"TEXT\", \"tokenCount\": 500}, {\"modality\": \"AUDIO\", \"tokenCount\": 1500}]}}",
                        t(2_500, 500, 0, 4_000, 0, 2_500, 1_500, 1_000, 0), 0L),
                Arguments.of("explicit tokens, every bucket",
                        "{\"tokens\": {\"input\": 1, \"output\": 2, \"cacheWrite\": 3, \"cacheRead\": 4, \"cacheWrite1h\": 5, \"audioInput\": 6,"
                                + " \"audioOutput\": 7, \"imageInput\": 8, \"imageOutput\": 9}}",
                        t(1, 2, 3, 4, 5, 6, 7, 8, 9), 0L),
                Arguments.of("no usage at all", "{}", t(0, 0, 0, 0, 0, 0, 0, 0, 0), 0L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void maps(String name, String event, TokenCounts expected, long toolCalls) {
        ProviderUsage.Mapped m = usage(event);
        assertThat(m.tokens()).isEqualTo(expected);
        assertThat(m.toolCalls()).isEqualTo(toolCalls);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                // name, event fields, error code, message fragment
                Arguments.of("chat: cached above prompt", "{\"openaiUsage\": {\"prompt_tokens\": 10, \"prompt_tokens_details\": {\"cached_tokens\": 11}}}",
                        "INCONSISTENT_USAGE", "cached_tokens (11) + cache write tokens (0) + audio_tokens (0) + image_tokens (0) = 11 exceeds prompt_tokens (10)"),
                Arguments.of("gateway: cache writes above the prompt", "{\"openaiUsage\": {\"prompt_tokens\": 10, \"cache_write_tokens\": 11}}",
                        "INCONSISTENT_USAGE", "exceeds prompt_tokens (10)"),
                Arguments.of("gateway: cache writes that disagree",
                        "{\"openaiUsage\": {\"prompt_tokens\": 10, \"cache_write_tokens\": 3, \"prompt_tokens_details\": {\"cached_write_tokens\": 4}}}",
                        "INCONSISTENT_USAGE", "the cache write counts differ: {openaiUsage.cache_write_tokens=3, openaiUsage.prompt_tokens_details.cached_write_tokens=4}"),
                Arguments.of("chat and responses names that disagree", "{\"openaiUsage\": {\"prompt_tokens\": 10, \"input_tokens\": 11}}",
                        "INCONSISTENT_USAGE", "prompt_tokens (10) and input_tokens (11) differ"),
                Arguments.of("responses: reasoning above output",
                        "{\"openaiUsage\": {\"output_tokens\": 5, \"output_tokens_details\": {\"reasoning_tokens\": 6}}}",
                        "INCONSISTENT_USAGE", "reasoning_tokens (6)"),
                Arguments.of("anthropic: total and breakdown differ",
                        "{\"anthropicUsage\": {\"cache_creation_input_tokens\": 5, \"cache_creation\": {\"ephemeral_5m_input_tokens\": 1}}}",
                        "INCONSISTENT_USAGE", "cache_creation_input_tokens (5) differs from"),
                Arguments.of("gemini: cached above prompt", "{\"geminiUsage\": {\"promptTokenCount\": 1, \"cachedContentTokenCount\": 2}}",
                        "INCONSISTENT_USAGE", "cachedContentTokenCount (2) exceeds promptTokenCount (1)"),
                Arguments.of("gemini: audio cached, prompt has no audio",
                        "{\"geminiUsage\": {\"promptTokenCount\": 10, \"cachedContentTokenCount\": 5,"
                                + " \"cacheTokensDetails\": [{\"modality\": \"AUDIO\", \"tokenCount\": 5}]}}",
                        "INCONSISTENT_USAGE", "cached AUDIO/IMAGE tokens (5/0) exceed the prompt's AUDIO/IMAGE tokens (0/0)"),
                Arguments.of("negative nested count", "{\"openaiUsage\": {\"prompt_tokens\": 10, \"prompt_tokens_details\": {\"cached_tokens\": -1}}}",
                        "NEGATIVE_COUNT", "openaiUsage.prompt_tokens_details.cached_tokens must not be negative"),
                Arguments.of("fractional count", "{\"anthropicUsage\": {\"input_tokens\": 1.5}}",
                        "VALIDATION_ERROR", "anthropicUsage.input_tokens must be a whole number"),
                Arguments.of("details not an object", "{\"openaiUsage\": {\"prompt_tokens\": 1, \"prompt_tokens_details\": 3}}",
                        "VALIDATION_ERROR", "openaiUsage.prompt_tokens_details must be a JSON object"),
                Arguments.of("gemini details not a list", "{\"geminiUsage\": {\"promptTokensDetails\": {}}}",
                        "VALIDATION_ERROR", "geminiUsage.promptTokensDetails must be an array"),
                Arguments.of("gemini detail without a whole count",
                        "{\"geminiUsage\": {\"promptTokensDetails\": [{\"modality\": \"TEXT\", \"tokenCount\": \"7\"}]}}",
                        "VALIDATION_ERROR", "geminiUsage.promptTokensDetails[0].tokenCount must be a whole number"),
                Arguments.of("two usage objects", "{\"tokens\": {}, \"geminiUsage\": {}}",
                        "VALIDATION_ERROR", "give only one of tokens, openaiUsage, anthropicUsage and geminiUsage"),
                Arguments.of("a typo in tokens", "{\"tokens\": {\"cacheWrite1H\": 5}}", "UNKNOWN_FIELD", "unknown field 'cacheWrite1H' in tokens"),
                Arguments.of("usage not an object", "{\"geminiUsage\": 5}", "VALIDATION_ERROR", "geminiUsage must be a JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void refuses(String name, String event, String code, String message) {
        assertThatThrownBy(() -> usage(event)).isInstanceOfSatisfying(Failure.class, f -> {
            assertThat(f.code()).isEqualTo(code);
            assertThat(f.getMessage()).contains(message);
        });
    }

    // ---- property: native object and explicit tokens price the same ----

    /** A native object of one provider, and the explicit tokens and tool calls it stands for. */
    record Rendered(ObjectNode event, ObjectNode explicit) {}

    private static long small(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> 0;
            case 1 -> r.nextLong(1_000);
            case 2 -> r.nextLong(400_000);
            default -> r.nextLong(5_000_000_000L);
        };
    }

    /** Random usage as one provider would report it; only the buckets that provider has. */
    static Rendered render(SplittableRandom r) {
        ObjectNode event = Json.MAPPER.createObjectNode();
        ObjectNode explicit = Json.MAPPER.createObjectNode();
        ObjectNode tokens = explicit.putObject("tokens");
        switch (r.nextInt(3)) {
            case 0 -> {
                long input = small(r), output = small(r), cached = small(r), writes = r.nextInt(3) == 0 ? small(r) : 0;
                long audioIn = r.nextInt(4) == 0 ? small(r) : 0, imageIn = r.nextInt(4) == 0 ? small(r) : 0;
                long audioOut = r.nextInt(4) == 0 ? small(r) : 0, imageOut = r.nextInt(4) == 0 ? small(r) : 0;
                boolean chat = r.nextBoolean();
                ObjectNode u = event.putObject("openaiUsage");
                u.put(chat ? "prompt_tokens" : "input_tokens", input + cached + writes + audioIn + imageIn);
                u.put(chat ? "completion_tokens" : "output_tokens", output + audioOut + imageOut);
                u.put("total_tokens", input + cached + writes + audioIn + imageIn + output + audioOut + imageOut);
                ObjectNode in = u.putObject(chat ? "prompt_tokens_details" : "input_tokens_details");
                if (cached > 0 || r.nextBoolean()) in.put("cached_tokens", cached);
                if (audioIn > 0) in.put("audio_tokens", audioIn);
                if (imageIn > 0) in.put("image_tokens", imageIn);
                if (writes > 0 || r.nextInt(4) == 0) {
                    switch (r.nextInt(4)) {
                        case 0 -> u.put("cache_write_tokens", writes);
                        case 1 -> in.put("cache_write_tokens", writes);
                        case 2 -> in.put("cached_write_tokens", writes);
                        default -> {
                            u.put("cache_write_tokens", writes);
                            in.put("cache_write_tokens", writes);
                        }
                    }
                }
                ObjectNode out = u.putObject(chat ? "completion_tokens_details" : "output_tokens_details");
                out.put("reasoning_tokens", output == 0 ? 0 : r.nextLong(output + 1));
                if (audioOut > 0) out.put("audio_tokens", audioOut);
                if (imageOut > 0) out.put("image_tokens", imageOut);
                tokens.put("input", input).put("output", output).put("cacheWrite", writes).put("cacheRead", cached)
                        .put("audioInput", audioIn).put("imageInput", imageIn).put("audioOutput", audioOut).put("imageOutput", imageOut);
            }
            case 1 -> {
                long input = small(r), output = small(r), read = small(r), w5 = small(r), w1 = r.nextBoolean() ? small(r) : 0;
                long serverTools = r.nextInt(3) == 0 ? r.nextInt(5) : 0;
                ObjectNode u = event.putObject("anthropicUsage");
                u.put("input_tokens", input).put("output_tokens", output).put("cache_read_input_tokens", read);
                if (w1 > 0 || r.nextBoolean()) {
                    u.putObject("cache_creation").put("ephemeral_5m_input_tokens", w5).put("ephemeral_1h_input_tokens", w1);
                    if (r.nextBoolean()) u.put("cache_creation_input_tokens", w5 + w1);
                } else {
                    u.put("cache_creation_input_tokens", w5);
                }
                if (serverTools > 0) u.putObject("server_tool_use").put("web_search_requests", serverTools);
                tokens.put("input", input).put("output", output).put("cacheRead", read).put("cacheWrite", w5).put("cacheWrite1h", w1);
                explicit.put("toolCalls", serverTools);
            }
            default -> {
                long text = small(r), toolUse = r.nextInt(3) == 0 ? small(r) : 0, textCached = small(r);
                long audioIn = r.nextInt(3) == 0 ? small(r) : 0, audioCached = r.nextInt(3) == 0 ? small(r) : 0;
                long imageIn = r.nextInt(3) == 0 ? small(r) : 0, imageCached = r.nextInt(3) == 0 ? small(r) : 0;
                long candidates = small(r), thoughts = small(r), audioOut = r.nextInt(3) == 0 ? small(r) : 0;
                long imageOut = r.nextInt(3) == 0 ? small(r) : 0;
                long cached = textCached + audioCached + imageCached;
                ObjectNode u = event.putObject("geminiUsage");
                u.put("promptTokenCount", text + textCached + audioIn + audioCached + imageIn + imageCached);
                u.put("cachedContentTokenCount", cached);
                u.put("candidatesTokenCount", candidates + audioOut + imageOut);
                u.put("thoughtsTokenCount", thoughts);
                if (toolUse > 0) u.put("toolUsePromptTokenCount", toolUse);
                boolean modal = audioIn + audioCached + imageIn + imageCached > 0;
                if (modal || r.nextBoolean()) {
                    modalities(u.putArray("promptTokensDetails"), text + textCached, audioIn + audioCached, imageIn + imageCached);
                }
                if (audioCached + imageCached > 0 || (cached > 0 && r.nextBoolean())) {
                    modalities(u.putArray("cacheTokensDetails"), textCached, audioCached, imageCached);
                }
                if (audioOut + imageOut > 0 || r.nextBoolean()) modalities(u.putArray("candidatesTokensDetails"), candidates, audioOut, imageOut);
                tokens.put("input", text + toolUse).put("output", candidates + thoughts).put("cacheRead", cached)
                        .put("audioInput", audioIn).put("imageInput", imageIn).put("audioOutput", audioOut).put("imageOutput", imageOut);
            }
        }
        return new Rendered(event, explicit);
    }

    private static boolean setsNoRate(Rates.Tier t) {
        return t.inputPer1MMicros() == null && t.outputPer1MMicros() == null && t.cacheWritePer1MMicros() == null
                && t.cacheWrite1hPer1MMicros() == null && t.cacheReadPer1MMicros() == null;
    }

    private static void modalities(ArrayNode list, long text, long audio, long image) {
        if (text > 0) list.addObject().put("modality", "TEXT").put("tokenCount", text);
        if (audio > 0) list.addObject().put("modality", "AUDIO").put("tokenCount", audio);
        if (image > 0) list.addObject().put("modality", "IMAGE").put("tokenCount", image);
    }

    @Test
    void nativeObjectAndExplicitTokensPriceTheSame() {
        long seed = Seeds.seed("NativeUsageTest.nativeObjectAndExplicitTokensPriceTheSame");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            Rendered c = render(r);
            ProviderUsage.Mapped fromNative = UsageParser.usage(c.event());
            ProviderUsage.Mapped fromTokens = UsageParser.usage(c.explicit());
            long explicitTools = Json.count(c.explicit(), "toolCalls");
            String why = "case " + i + ": " + c.event() + " vs " + c.explicit() + ", " + Seeds.replay(seed);
            assertThat(fromNative.tokens()).as(why).isEqualTo(fromTokens.tokens());
            assertThat(fromNative.toolCalls()).as(why).isEqualTo(explicitTools);
            Rates rates = RandomRates.card(r);
            Pricer pricer = new Pricer(r.nextInt(7));
            assertThat(pricer.priceMicros(rates, fromNative.tokens(), fromNative.toolCalls()))
                    .as(why).isEqualTo(pricer.priceMicros(rates, fromTokens.tokens(), explicitTools));
        }
    }

    /** The same property end to end: POST /v1/price with the native object and with the explicit tokens. */
    @Test
    void nativeObjectAndExplicitTokensPriceTheSameOverHttp() {
        long seed = Seeds.seed("NativeUsageTest.nativeObjectAndExplicitTokensPriceTheSameOverHttp");
        SplittableRandom r = new SplittableRandom(seed);
        try (TestServer server = TestServer.sqlite()) {
            ObjectNode models = Json.MAPPER.createObjectNode();
            for (int m = 0; m < 4; m++) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                Rates card = RandomRates.card(r);
                while (card.tier() != null && setsNoRate(card.tier())) card = RandomRates.card(r); // the API refuses such a tier
                body.set("rates", Json.MAPPER.valueToTree(Views.rates(card)));
                body.put("effectiveFrom", TestServer.START.minusSeconds(60).toString());
                server.op("PUT", "/v1/models/m" + m, body.toString());
                models.put("m" + m, true);
            }
            for (int i = 0; i < 150; i++) {
                Rendered c = render(r);
                c.event().set("models", Json.MAPPER.valueToTree(models.properties().stream().map(java.util.Map.Entry::getKey).toList()));
                c.explicit().set("models", c.event().get("models"));
                JsonNode a = server.op("POST", "/v1/price", c.event().toString());
                JsonNode b = server.op("POST", "/v1/price", c.explicit().toString());
                String why = "case " + i + ": " + c.event() + ", " + Seeds.replay(seed);
                assertThat(a.path("tokens")).as(why).isEqualTo(b.path("tokens"));
                assertThat(a.path("models")).as(why).isEqualTo(b.path("models"));
            }
        }
    }
}
