package creditline.pricelist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.http.Json;
import creditline.app.Config;
import creditline.app.Creditline;
import creditline.pricing.Credits;
import creditline.pricing.Model;
import creditline.pricing.Rates;
import creditline.store.Store;
import creditline.testing.TestConfig;
import creditline.testing.Databases;
import creditline.testing.MutableClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The LiteLLM import on a hand-written excerpt of its format (src/test/resources/litellm). */
class LiteLlmImportTest {
    static final BigDecimal HUNDRED = new BigDecimal("100");
    static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");
    private final List<Store> stores = new ArrayList<>();

    static JsonNode excerpt() {
        try (InputStream in = LiteLlmImportTest.class.getResourceAsStream("/litellm/model_prices_excerpt.json")) {
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Long c(String credits) {
        return credits == null ? null : Credits.parseMicros(credits);
    }

    private static Map<String, LiteLlm.Entry> entries() {
        Map<String, LiteLlm.Entry> out = new HashMap<>();
        for (LiteLlm.Entry e : LiteLlm.read(excerpt(), HUNDRED, LiteLlm.Progress.NONE)) out.put(e.modelId(), e);
        return out;
    }

    static Stream<Arguments> priced() {
        var none = Rates.Modality.NONE;
        var whole = Rates.TierRule.WHOLE_REQUEST;
        return Stream.of(
                // id, provider, expected card at 100 credits per USD, ignored fields
                Arguments.of("claude-sonnet-4-5", "anthropic", new Rates(c("300"), c("1500"), c("375"), c("30"), null, null, null, c("600"), none,
                        new Rates.Tier(200_000, whole, c("600"), c("2250"), c("750"), c("1200"), c("60"))), List.of("search_context_cost_per_query")),
                Arguments.of("claude-haiku-4-5", "anthropic", new Rates(c("100"), c("500"), c("125"), c("10"), null, null, null, c("200"), none, null),
                        List.of()),
                Arguments.of("gpt-5.1", "openai", new Rates(c("125"), c("1000"), null, c("12.5"), null, null, null, null, none, null),
                        List.of("cache_read_input_token_cost_priority", "input_cost_per_token_priority", "output_cost_per_token_priority")),
                Arguments.of("gpt-5.4", "openai", new Rates(c("250"), c("1500"), null, c("25"), null, null, null, null, none,
                        new Rates.Tier(272_000, whole, c("500"), c("2250"), null, null, c("50"))), List.of()),
                Arguments.of("gpt-4o-audio-preview", "openai", new Rates(c("250"), c("1000"), null, null, null, null, null, null,
                        new Rates.Modality(c("4000"), c("8000"), null, null), null), List.of()),
                Arguments.of("example/vision-chat", "example", new Rates(c("500"), c("2000"), null, null, null, null, null, null,
                        new Rates.Modality(null, null, c("1000"), c("4000")), null), List.of()),
                Arguments.of("gemini/gemini-1.5-pro", "gemini", new Rates(c("125"), c("500"), null, null, null, null, null, null, none,
                        new Rates.Tier(128_000, whole, c("250"), c("1000"), null, null, null)), List.of()),
                Arguments.of("azure/gpt-4o-2024-08-06", "azure", new Rates(c("250"), c("1000"), null, c("125"), null, null, null), List.of()),
                Arguments.of("text-embedding-3-small", "openai", new Rates(c("2"), c("0"), null, null, null, null, null), List.of()),
                // 1.0000005e-08 USD x 1e6 x 100 = 1.0000005 -> 1.000001 (half-up); 1.234567891e-07 -> 12.34567891 -> 12.345679
                Arguments.of("example/rounding", "example", new Rates(c("1.000001"), c("12.345679"), null, null, null, null, null), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("priced")
    void readsEveryField(String id, String provider, Rates expected, List<String> ignored) {
        LiteLlm.Entry e = entries().get(id);
        assertThat(e).isInstanceOf(LiteLlm.Priced.class);
        LiteLlm.Priced p = (LiteLlm.Priced) e;
        assertThat(p.provider()).isEqualTo(provider);
        assertThat(p.rates()).isEqualTo(expected);
        assertThat(p.ignoredFields()).containsExactlyInAnyOrderElementsOf(ignored);
    }

    static Stream<Arguments> skipped() {
        return Stream.of(
                Arguments.of("sample_spec", "LiteLLM's field documentation, not a model"),
                Arguments.of("dall-e-3", "unsupported mode 'image_generation'"),
                Arguments.of("whisper-1", "unsupported mode 'audio_transcription'"),
                Arguments.of("openrouter/auto", "no token costs (neither input_cost_per_token nor output_cost_per_token)"),
                Arguments.of("bad model id", "not a valid model id"),
                Arguments.of("broken/negative", "input_cost_per_token is not a non-negative number: -0.000001"),
                Arguments.of("broken/text-cost", "input_cost_per_token is not a non-negative number: \"cheap\""),
                Arguments.of("broken/two-tiers", "several long-context thresholds (128000 and 200000 tokens)"),
                Arguments.of("broken/not-an-object", "not a JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("skipped")
    void skipsWithTheReason(String id, String reason) {
        LiteLlm.Entry e = entries().get(id);
        assertThat(e).isInstanceOf(LiteLlm.Skipped.class);
        assertThat(((LiteLlm.Skipped) e).reason()).contains(reason);
    }

    static Stream<Arguments> conversions() {
        return Stream.of(
                // USD per token, credits per USD, expected credits per 1M tokens
                Arguments.of("3e-06", "100", "300"),
                Arguments.of("0.0000025", "100", "250"),
                Arguments.of("1.25e-07", "100", "12.5"),
                Arguments.of("3e-06", "1", "3"),
                Arguments.of("3e-06", "0.001", "0.003"),
                Arguments.of("1e-13", "100", "0.00001"),
                Arguments.of("4.9e-15", "100", "0"),
                Arguments.of("5e-15", "100", "0.000001"),
                Arguments.of("1.0000005e-08", "100", "1.000001"),
                Arguments.of("1.00000049e-08", "100", "1"),
                Arguments.of("0", "100", "0"));
    }

    @ParameterizedTest(name = "{0} USD/token at {1} credits/USD = {2} credits per 1M")
    @MethodSource("conversions")
    void convertsExactlyHalfUpTo6Decimals(String usd, String creditsPerUsd, String expected) {
        assertThat(LiteLlm.microsPer1M(new BigDecimal(usd), new BigDecimal(creditsPerUsd))).isEqualTo(Credits.parseMicros(expected));
    }

    @Test
    void reportsProgressForLargeLists() {
        var root = Json.MAPPER.createObjectNode();
        for (int i = 0; i < 1_234; i++) root.putObject("m" + i).put("input_cost_per_token", new BigDecimal("1e-06"));
        List<String> seen = new ArrayList<>();
        LiteLlm.read(root, HUNDRED, (done, total) -> seen.add(done + "/" + total));
        assertThat(seen).containsExactly("500/1234", "1000/1234", "1234/1234");
    }

    @Test
    void aBlankProviderIsNoProvider() {
        var root = Json.MAPPER.createObjectNode();
        root.putObject("blank").put("input_cost_per_token", new BigDecimal("1e-06")).put("litellm_provider", "   ");
        root.putObject("padded").put("input_cost_per_token", new BigDecimal("1e-06")).put("litellm_provider", " openai ");
        Map<String, String> providers = new HashMap<>();
        for (LiteLlm.Entry e : LiteLlm.read(root, HUNDRED, LiteLlm.Progress.NONE)) providers.put(e.modelId(), ((LiteLlm.Priced) e).provider());
        assertThat(providers).containsEntry("blank", "").containsEntry("padded", "openai");
    }

    @Test
    void refusesWhatIsNotAPriceList() {
        assertThatThrownBy(() -> LiteLlm.read(Json.MAPPER.createArrayNode(), HUNDRED, LiteLlm.Progress.NONE))
                .hasMessageContaining("one JSON object mapping model ids");
    }

    // ---- the import against a real store ----

    private Store store(MutableClock clock) {
        Config config = TestConfig.of(Databases.freshSqlite());
        Store s = Creditline.openStore(config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        stores.add(s);
        return s;
    }

    @AfterEach
    void close() {
        for (Store s : stores) {
            s.close();
            s.database().close();
        }
    }

    @Test
    void importsOnceThenFindsNothingChanged() {
        Store store = store(new MutableClock(NOW));
        CatalogImport.Report dry = CatalogImport.run(store, excerpt(), HUNDRED, null, true, LiteLlm.Progress.NONE);
        assertThat(dry.added()).hasSize(10);
        assertThat(dry.skipped()).hasSize(9);
        assertThat(dry.entries()).isEqualTo(19);
        assertThat(store.models()).as("a dry run writes nothing").isEmpty();

        CatalogImport.Report first = CatalogImport.run(store, excerpt(), HUNDRED, null, false, LiteLlm.Progress.NONE);
        assertThat(first.added()).extracting(CatalogImport.Change::modelId).containsExactlyElementsOf(
                dry.added().stream().map(CatalogImport.Change::modelId).toList());
        assertThat(first.versions()).hasSize(10).containsEntry("claude-sonnet-4-5", 1);
        Model sonnet = store.model("claude-sonnet-4-5");
        assertThat(sonnet.provider()).isEqualTo("anthropic");
        assertThat(sonnet.versionAt(NOW).rates().tier().thresholdTokens()).isEqualTo(200_000);
        assertThat(sonnet.versionAt(NOW).effectiveFrom()).isEqualTo(NOW);

        CatalogImport.Report again = CatalogImport.run(store, excerpt(), HUNDRED, null, false, LiteLlm.Progress.NONE);
        assertThat(again.added()).isEmpty();
        assertThat(again.changed()).isEmpty();
        assertThat(again.unchanged()).hasSize(10);
        assertThat(again.versions()).isEmpty();
        assertThat(store.model("claude-sonnet-4-5").versions()).hasSize(1);
    }

    @Test
    void changesOnlyWhatDiffersAndKeepsWhatTheListCannotSay() {
        MutableClock clock = new MutableClock(NOW);
        Store store = store(clock);
        Instant longAgo = NOW.minus(Duration.ofDays(60));
        // Same token rates as the list, plus a flat per-request rate the list cannot express: unchanged.
        store.putModel("claude-haiku-4-5", "Haiku", "anthropic", false,
                new Rates(c("100"), c("500"), c("125"), c("10"), null, c("0.5"), null, c("200"), Rates.Modality.NONE, null), longAgo);
        // Different input rate and a per-bucket tier rule: changed, rule and name kept.
        store.putModel("claude-sonnet-4-5", "Sonnet", "anthropic-direct", true,
                new Rates(c("250"), c("1500"), c("375"), c("30"), null, null, c("0.1"), c("600"), Rates.Modality.NONE,
                        new Rates.Tier(200_000, Rates.TierRule.PER_BUCKET, c("600"), c("2250"), c("750"), c("1200"), c("60"))), longAgo);

        Instant from = NOW.plus(Duration.ofDays(1));
        CatalogImport.Report report = CatalogImport.run(store, excerpt(), new BigDecimal("100"), from, false, LiteLlm.Progress.NONE);
        assertThat(report.unchanged()).contains("claude-haiku-4-5");
        assertThat(report.changed()).extracting(CatalogImport.Change::modelId).containsExactly("claude-sonnet-4-5");
        CatalogImport.Change change = report.changed().get(0);
        assertThat(change.fromVersion()).isEqualTo(1);
        assertThat(report.versions()).containsEntry("claude-sonnet-4-5", 2);

        Model sonnet = store.model("claude-sonnet-4-5");
        assertThat(sonnet.name()).isEqualTo("Sonnet");
        assertThat(sonnet.provider()).isEqualTo("anthropic-direct");
        assertThat(sonnet.versionAt(from).unmetered()).as("the new version keeps the flag of the card in force").isTrue();
        assertThat(sonnet.versionAt(NOW).version()).as("the new version waits for its effectiveFrom").isEqualTo(1);
        Rates now = sonnet.versionAt(from).rates();
        assertThat(now.inputPer1MMicros()).isEqualTo(c("300"));
        assertThat(now.perToolCallMicros()).as("flat rates are kept").isEqualTo(c("0.1"));
        assertThat(now.tier().rule()).as("the model's tier rule is kept").isEqualTo(Rates.TierRule.PER_BUCKET);
        assertThat(store.model("claude-haiku-4-5").versions()).hasSize(1);
    }

    @Test
    void planIsPureAndReportsEveryEntry() {
        List<LiteLlm.Entry> entries = LiteLlm.read(excerpt(), HUNDRED, LiteLlm.Progress.NONE);
        CatalogImport.Report r = CatalogImport.plan(entries, List.of(), NOW, HUNDRED, true);
        assertThat(r.added().size() + r.changed().size() + r.unchanged().size() + r.skipped().size()).isEqualTo(entries.size());
        assertThat(r.added()).allSatisfy(ch -> assertThat(ch.before()).isNull());
    }
}
