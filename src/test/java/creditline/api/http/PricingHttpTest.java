package creditline.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP black-box tests of rate cards, the price-list import, what-if pricing and task comparison. */
class PricingHttpTest {
    private static final Instant START = TestServer.START;
    private final TestServer server = TestServer.sqlite();

    @AfterEach
    void stop() {
        server.close();
    }

    static String excerpt() {
        try (InputStream in = PricingHttpTest.class.getResourceAsStream("/litellm/model_prices_excerpt.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String at(Duration beforeStart) {
        return START.minus(beforeStart).toString();
    }

    /** Helidon 4.2.0 refuses a raw ':' in a query (helidon-io/helidon#9862): clients percent-encode it. */
    private static String encoded(Instant t) {
        return java.net.URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }

    private void model(String id, String rates, Duration beforeStart) {
        server.op("PUT", "/v1/models/" + id, "{\"rates\": " + rates + ", \"effectiveFrom\": \"" + at(beforeStart) + "\"}");
    }

    /** An org "acme" with an admin (ada) and a member (bob); returns {adminKey, memberKey}. */
    private String[] acme() {
        server.op("PUT", "/v1/plans/p", "{\"name\": \"P\", \"creditsIncluded\": \"1000000\", \"overage\": \"allow\"}");
        server.op("POST", "/v1/orgs", "{\"id\": \"acme\", \"planId\": \"p\"}");
        server.op("POST", "/v1/orgs", "{\"id\": \"globex\", \"planId\": \"p\"}");
        server.op("PUT", "/v1/orgs/acme/members/ada@acme.example", "{\"role\": \"admin\"}");
        server.op("PUT", "/v1/orgs/acme/members/bob@acme.example", "{\"role\": \"member\"}");
        String admin = server.op("POST", "/v1/orgs/acme/keys", "{\"role\": \"admin\", \"memberId\": \"ada@acme.example\"}").path("key").asText();
        String member = server.op("POST", "/v1/orgs/acme/keys", "{\"role\": \"member\", \"memberId\": \"bob@acme.example\"}").path("key").asText();
        String otherAdmin = server.op("POST", "/v1/orgs/globex/keys", "{\"role\": \"admin\"}").path("key").asText();
        return new String[] {admin, member, otherAdmin};
    }

    // ---- rate cards ----

    @Test
    void rateCardsCarryOneHourWritesModalitiesAndATier() {
        JsonNode m = server.op("PUT", "/v1/models/sonnet", """
                {"rates": {"creditInputPer1M": "300", "creditOutputPer1M": "1500", "creditCacheWritePer1M": "375",
                  "creditCacheWrite1hPer1M": "600", "creditCacheReadPer1M": "30", "creditAudioInputPer1M": "4000",
                  "longContextTier": {"thresholdTokens": 200000, "rule": "per_bucket", "creditInputPer1M": "600", "creditCacheReadPer1M": "60"}}}""");
        JsonNode r = m.path("rates");
        assertThat(r.path("creditCacheWrite1hPer1M").asText()).isEqualTo("600.00");
        assertThat(r.path("creditAudioInputPer1M").asText()).isEqualTo("4000.00");
        assertThat(r.path("creditImageOutputPer1M").isNull()).isTrue();
        assertThat(r.path("longContextTier").path("thresholdTokens").asLong()).isEqualTo(200_000);
        assertThat(r.path("longContextTier").path("rule").asText()).isEqualTo("per_bucket");
        assertThat(r.path("longContextTier").path("creditOutputPer1M").isNull()).isTrue();
        JsonNode versions = server.op("GET", "/v1/models/sonnet/rates", null).path("versions");
        assertThat(versions.get(0).path("rates")).isEqualTo(r);

        JsonNode usd = server.op("PUT", "/v1/models/gpt", """
                {"ratesUsd": {"inputPer1M": "1.25", "cacheWrite1hPer1M": "2", "longContextTier": {"thresholdTokens": 272000, "inputPer1M": "2.5"}}}""");
        assertThat(usd.path("rates").path("creditCacheWrite1hPer1M").asText()).isEqualTo("200.00");
        assertThat(usd.path("rates").path("longContextTier").path("creditInputPer1M").asText()).isEqualTo("250.00");
        assertThat(usd.path("rates").path("longContextTier").path("rule").asText()).isEqualTo("whole_request");
    }

    @Test
    void refusesImpossibleTiers() {
        String[][] cases = {
                {"{\"rates\": {\"longContextTier\": {\"creditInputPer1M\": \"6\"}}}", "MISSING_FIELD", "thresholdTokens is required"},
                {"{\"rates\": {\"longContextTier\": {\"thresholdTokens\": 0, \"creditInputPer1M\": \"6\"}}}", "VALIDATION_ERROR", "thresholdTokens must be at least 1"},
                {"{\"rates\": {\"longContextTier\": {\"thresholdTokens\": 10}}}", "VALIDATION_ERROR", "sets no rate"},
                {"{\"rates\": {\"longContextTier\": {\"thresholdTokens\": 10, \"rule\": \"marginal\", \"creditInputPer1M\": \"6\"}}}",
                        "VALIDATION_ERROR", "rule must be whole_request or per_bucket"},
                {"{\"rates\": {\"longContextTier\": {\"thresholdTokens\": 10, \"creditCachedInputPer1M\": \"6\"}}}", "UNKNOWN_FIELD", "creditCachedInputPer1M"},
                {"{\"rates\": {\"creditAudioInputPer1M\": \"-1\"}}", "VALIDATION_ERROR", "must not be negative"}};
        for (String[] c : cases) {
            TestServer.Response r = server.put("/v1/models/x", TestServer.OPERATOR_KEY, c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.errorCode()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.json().path("error").path("message").asText()).as(c[0]).contains(c[2]);
        }
    }

    // ---- POST /v1/models:import ----

    @Test
    void importRouteIsItsOwnPathBesideModelIds() {
        String[] keys = acme();
        TestServer.Response dry = server.post("/v1/models:import?dryRun=true", TestServer.OPERATOR_KEY, excerpt());
        assertThat(dry.status()).as(dry.body()).isEqualTo(200);
        JsonNode d = dry.json();
        assertThat(d.path("dryRun").asBoolean()).isTrue();
        assertThat(d.path("summary").path("added").asInt()).isEqualTo(10);
        assertThat(d.path("summary").path("skipped").asInt()).isEqualTo(9);
        JsonNode sonnetDiff = d.path("added").get(0).path("diff");
        assertThat(d.path("added").get(0).path("model").asText()).isEqualTo("claude-sonnet-4-5");
        assertThat(sonnetDiff.path("creditInputPer1M").path("to").asText()).isEqualTo("300.00");
        assertThat(sonnetDiff.path("longContextTier.thresholdTokens").path("to").asLong()).isEqualTo(200_000);
        assertThat(d.path("added").get(0).path("ignoredFields").get(0).asText()).isEqualTo("search_context_cost_per_query");
        assertThat(server.get("/v1/models/claude-sonnet-4-5", TestServer.OPERATOR_KEY).status()).as("dry run wrote nothing").isEqualTo(404);

        assertThat(server.post("/v1/models:import", keys[0], excerpt()).status()).isEqualTo(403);

        JsonNode done = server.op("POST", "/v1/models:import?creditsPerUsd=50", excerpt());
        assertThat(done.path("summary").path("added").asInt()).isEqualTo(10);
        assertThat(done.path("added").get(0).path("version").asInt()).isEqualTo(1);
        JsonNode sonnet = server.op("GET", "/v1/models/claude-sonnet-4-5", null);
        assertThat(sonnet.path("rates").path("creditInputPer1M").asText()).isEqualTo("150.00");
        assertThat(sonnet.path("provider").asText()).isEqualTo("anthropic");
        // The other model routes are untouched by the ':import' path.
        server.op("PUT", "/v1/models/other", "{\"rates\": {\"creditPerRequest\": \"1\"}}");
        assertThat(server.get("/v1/models:import", TestServer.OPERATOR_KEY).status()).isEqualTo(404);

        JsonNode again = server.op("POST", "/v1/models:import?creditsPerUsd=100&effectiveFrom=" + encoded(START.plus(Duration.ofDays(2))), excerpt());
        assertThat(again.path("summary").path("changed").asInt()).isEqualTo(10);
        JsonNode change = again.path("changed").get(0);
        assertThat(change.path("fromVersion").asInt()).isEqualTo(1);
        assertThat(change.path("version").asInt()).isEqualTo(2);
        assertThat(change.path("diff").path("creditInputPer1M").path("from").asText()).isEqualTo("150.00");
        assertThat(change.path("diff").path("creditInputPer1M").path("to").asText()).isEqualTo("300.00");
        JsonNode later = server.op("GET", "/v1/models/claude-sonnet-4-5", null);
        assertThat(later.path("rates").path("creditInputPer1M").asText()).as("the new version waits for its effectiveFrom").isEqualTo("150.00");
        assertThat(later.path("nextVersion").path("rates").path("creditInputPer1M").asText()).isEqualTo("300.00");
        assertThat(server.op("POST", "/v1/models:import?effectiveFrom=" + encoded(START.plus(Duration.ofDays(2))), excerpt())
                .path("summary").path("unchanged").asInt()).isEqualTo(10);
    }

    @Test
    void importRefusesBadParametersAndBodies() {
        String[][] cases = {
                {"/v1/models:import?creditsPerUsd=0", "{}", "creditsPerUsd"},
                {"/v1/models:import?creditsPerUsd=abc", "{}", "creditsPerUsd"},
                {"/v1/models:import?dryRun=yes", "{}", "dryRun"},
                {"/v1/models:import?effectiveFrom=tomorrow", "{}", "effectiveFrom"},
                {"/v1/models:import", "[]", "body"}};
        for (String[] c : cases) {
            TestServer.Response r = server.post(c[0], TestServer.OPERATOR_KEY, c[1]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.json().path("error").path("details").path("field").asText()).as(c[0]).isEqualTo(c[2]);
        }
        assertThat(server.post("/v1/models:import", TestServer.OPERATOR_KEY, "{").errorCode()).isEqualTo("MALFORMED_JSON");
    }

    // ---- POST /v1/price ----

    @Test
    void pricesOneUsageOnSeveralModelsAndRecordsNothing() {
        String[] keys = acme();
        model("sonnet", """
                {"creditInputPer1M": "300", "creditOutputPer1M": "1500", "creditCacheWritePer1M": "375",
                 "creditCacheWrite1hPer1M": "600", "creditCacheReadPer1M": "30", "creditPerToolCall": "1"}""", Duration.ofDays(30));
        model("haiku", "{\"creditInputPer1M\": \"100\", \"creditOutputPer1M\": \"500\"}", Duration.ofDays(30));
        model("local", "{\"creditPerRequest\": \"1\"}", Duration.ofDays(30));
        server.op("PUT", "/v1/models/local", "{\"rates\": {\"creditPerRequest\": \"1\"}, \"unmetered\": true, \"effectiveFrom\": \"" + at(Duration.ofDays(30)) + "\"}");
        String body = """
                {"models": ["sonnet", "haiku", "local"], "toolCalls": 1,
                 "anthropicUsage": {"input_tokens": 1000, "output_tokens": 2000, "cache_creation_input_tokens": 3000,
                   "cache_read_input_tokens": 10000, "cache_creation": {"ephemeral_5m_input_tokens": 1000, "ephemeral_1h_input_tokens": 2000},
                   "server_tool_use": {"web_search_requests": 2}}}""";
        TestServer.Response r = server.post("/v1/price", keys[1], body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode p = r.json();
        assertThat(p.path("toolCalls").asLong()).isEqualTo(3);
        assertThat(p.path("tokens").path("cacheWrite").asLong()).isEqualTo(1_000);
        assertThat(p.path("tokens").path("cacheWrite1h").asLong()).isEqualTo(2_000);
        // sonnet: 0.3 + 3 + 0.375 + 1.2 + 0.3 + 3 tool calls = 8.175 -> 8.18
        assertThat(p.path("models").get(0).path("credits").asText()).isEqualTo("8.18");
        assertThat(p.path("models").get(0).path("rateVersion").asInt()).isEqualTo(1);
        // haiku, no cache rates: (1000 + 3000 + 10000) x 100 / 1e6 + 2000 x 500 / 1e6 = 1.4 + 1.0
        assertThat(p.path("models").get(1).path("credits").asText()).isEqualTo("2.40");
        assertThat(p.path("models").get(2).path("credits").asText()).isEqualTo("0.00");
        assertThat(p.path("models").get(2).path("nominalCredits").asText()).isEqualTo("1.00");
        assertThat(p.path("models").get(2).path("unmeteredReason").asText()).isEqualTo("model");
        assertThat(server.op("GET", "/v1/orgs/acme/subscription", null).path("usage").path("events").asLong()).isZero();
    }

    @Test
    void pricesWithTheRatesInForceAtOccurredAtAndReportsTheTier() {
        model("g", """
                {"creditInputPer1M": "125", "creditOutputPer1M": "1000",
                 "longContextTier": {"thresholdTokens": 200000, "creditInputPer1M": "250", "creditOutputPer1M": "1500"}}""", Duration.ofDays(30));
        model("g", "{\"creditInputPer1M\": \"100\", \"creditOutputPer1M\": \"1000\"}", Duration.ofDays(1));
        String usage = "\"geminiUsage\": {\"promptTokenCount\": 300000, \"cachedContentTokenCount\": 100000, \"candidatesTokenCount\": 1000, \"thoughtsTokenCount\": 1000}";
        JsonNode old = server.op("POST", "/v1/price", "{\"models\": [\"g\"], \"occurredAt\": \"" + at(Duration.ofDays(2)) + "\", " + usage + "}");
        // tier: 200000 x 250 + 100000 cached x 250 (no cache rates: input rate) + 2000 x 1500, per 1e6 = 50 + 25 + 3
        assertThat(old.path("models").get(0).path("credits").asText()).isEqualTo("78.00");
        assertThat(old.path("models").get(0).path("longContextTier").asBoolean()).isTrue();
        assertThat(old.path("tokens").path("input").asLong()).isEqualTo(200_000);
        assertThat(old.path("tokens").path("output").asLong()).isEqualTo(2_000);
        JsonNode now = server.op("POST", "/v1/price", "{\"models\": [\"g\"], " + usage + "}");
        assertThat(now.path("models").get(0).path("credits").asText()).isEqualTo("32.00");
        assertThat(now.path("models").get(0).path("rateVersion").asInt()).isEqualTo(2);
        assertThat(now.path("models").get(0).path("longContextTier").asBoolean()).isFalse();
    }

    @Test
    void theUnmeteredFlagIsEffectiveDatedLikeTheRates() {
        String[] keys = acme();
        model("flip", "{\"creditPerRequest\": \"2\"}", Duration.ofDays(30));
        // Unmetered from tomorrow: today's usage is still charged, and the model says so.
        server.op("PUT", "/v1/models/flip", "{\"rates\": {\"creditPerRequest\": \"2\"}, \"unmetered\": true, \"effectiveFrom\": \""
                + START.plus(Duration.ofDays(1)) + "\"}");
        JsonNode model = server.op("GET", "/v1/models/flip", null);
        assertThat(model.path("unmetered").asBoolean()).isFalse();
        assertThat(model.path("nextVersion").path("unmetered").asBoolean()).isTrue();
        JsonNode today = server.op("POST", "/v1/price", "{\"models\": [\"flip\"], \"tokens\": {}}").path("models").get(0);
        assertThat(today.path("credits").asText()).isEqualTo("2.00");
        assertThat(today.path("unmeteredReason").isNull()).as(today.toString()).isTrue();
        // Unmetered since 10 days ago: a late event of 20 days ago is priced as its own time was.
        server.op("PUT", "/v1/models/flip", "{\"rates\": {\"creditPerRequest\": \"2\"}, \"unmetered\": true, \"effectiveFrom\": \""
                + at(Duration.ofDays(10)) + "\"}");
        JsonNode usage = server.op("POST", "/v1/usage", "{\"events\": [" + event("late", "flip", "\"occurredAt\": \"" + at(Duration.ofDays(20)) + "\"")
                + ", " + event("recent", "flip", "\"occurredAt\": \"" + at(Duration.ofDays(5)) + "\"") + "]}");
        assertThat(usage.path("events").get(0).path("credits").asText()).isEqualTo("2.00");
        assertThat(usage.path("events").get(1).path("credits").asText()).isEqualTo("0.00");
        JsonNode versions = server.get("/v1/models/flip/rates", keys[1]).json().path("versions");
        assertThat(versions).extracting(v -> v.path("unmetered").asBoolean()).containsExactly(false, true, true);
    }

    @Test
    void priceRefusesUnknownModelsInconsistentUsageAndMissingKeys() {
        model("m", "{\"creditInputPer1M\": \"1\"}", Duration.ofDays(1));
        TestServer.Response unknown = server.post("/v1/price", TestServer.OPERATOR_KEY, "{\"models\": [\"m\", \"nope\", \"zilch\"], \"tokens\": {\"input\": 1}}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.errorCode()).isEqualTo("MODEL_NOT_FOUND");
        assertThat(unknown.json().path("error").path("message").asText()).isEqualTo("no such model: nope, zilch");
        TestServer.Response bad = server.post("/v1/price", TestServer.OPERATOR_KEY,
                "{\"models\": [\"m\"], \"openaiUsage\": {\"prompt_tokens\": 10, \"prompt_tokens_details\": {\"cached_tokens\": 11}}}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.errorCode()).isEqualTo("INCONSISTENT_USAGE");
        assertThat(bad.json().path("error").path("message").asText()).contains("cached_tokens (11)").contains("exceeds prompt_tokens (10)");
        assertThat(server.post("/v1/price", TestServer.OPERATOR_KEY, "{\"tokens\": {\"input\": 1}}").errorCode()).isEqualTo("MISSING_FIELD");
        assertThat(server.post("/v1/price", TestServer.OPERATOR_KEY, "{\"models\": []}").errorCode()).isEqualTo("VALIDATION_ERROR");
        assertThat(server.post("/v1/price", TestServer.OPERATOR_KEY,
                "{\"models\": [\"m\"], \"tokens\": {\"input\": 1}, \"geminiUsage\": {}}").errorCode()).isEqualTo("VALIDATION_ERROR");
        assertThat(server.post("/v1/price", null, "{\"models\": [\"m\"]}").status()).isEqualTo(401);
    }

    // ---- usage events with the new shapes ----

    @Test
    void usageEventsAcceptGeminiAndRejectInconsistentObjectsPerEvent() {
        acme();
        model("g", "{\"creditInputPer1M\": \"100\", \"creditOutputPer1M\": \"1000\", \"creditCacheReadPer1M\": \"25\"}", Duration.ofDays(30));
        String ok = event("e1", "g", "\"geminiUsage\": {\"promptTokenCount\": 10000, \"cachedContentTokenCount\": 4000, \"candidatesTokenCount\": 500,"
                + " \"thoughtsTokenCount\": 1500}");
        String explicit = event("e2", "g", "\"tokens\": {\"input\": 6000, \"cacheRead\": 4000, \"output\": 2000}");
        String inconsistent = event("e3", "g", "\"geminiUsage\": {\"promptTokenCount\": 10, \"cachedContentTokenCount\": 11}");
        JsonNode r = server.op("POST", "/v1/usage", "{\"events\": [" + ok + ", " + explicit + ", " + inconsistent + "]}");
        assertThat(r.path("events").get(0).path("credits").asText()).isEqualTo("2.70");
        assertThat(r.path("events").get(1).path("credits").asText()).isEqualTo("2.70");
        assertThat(r.path("events").get(2).path("status").asText()).isEqualTo("rejected");
        assertThat(r.path("events").get(2).path("error").path("code").asText()).isEqualTo("INCONSISTENT_USAGE");
        assertThat(r.path("events").get(2).path("error").path("message").asText())
                .isEqualTo("geminiUsage is inconsistent: cachedContentTokenCount (11) exceeds promptTokenCount (10), which includes it");
        JsonNode usage = server.op("GET", "/v1/orgs/acme/subscription", null).path("usage");
        assertThat(usage.path("totalTokensUsed").asLong()).isEqualTo(2 * 12_000);
    }

    private static String event(String id, String model, String usage) {
        return "{\"id\": \"" + id + "\", \"orgId\": \"acme\", \"memberId\": \"bob@acme.example\", \"model\": \"" + model
                + "\", \"activity\": \"agent\", " + usage + "}";
    }

    private static String taskEvent(String id, String model, String task, Duration beforeStart, long in, long out) {
        return "{\"id\": \"" + id + "\", \"orgId\": \"acme\", \"memberId\": \"bob@acme.example\", \"model\": \"" + model
                + "\", \"activity\": \"agent\", \"task\": \"" + task + "\", \"occurredAt\": \"" + at(beforeStart)
                + "\", \"tokens\": {\"input\": " + in + ", \"output\": " + out + "}}";
    }

    // ---- GET /v1/orgs/{orgId}/usage/tasks/{task}/compare ----

    @Test
    void comparesARecordedTaskOnOtherModelsWithTheRatesOfEachEventsTime() {
        String[] keys = acme();
        model("big", "{\"creditInputPer1M\": \"10\", \"creditOutputPer1M\": \"20\"}", Duration.ofDays(30));
        model("big", "{\"creditInputPer1M\": \"5\", \"creditOutputPer1M\": \"10\"}", Duration.ofDays(5));
        model("small", "{\"creditInputPer1M\": \"1\", \"creditOutputPer1M\": \"2\"}", Duration.ofDays(30));
        model("small", "{\"creditInputPer1M\": \"2\", \"creditOutputPer1M\": \"4\"}", Duration.ofDays(5));
        model("flat", "{\"creditPerRequest\": \"1.5\"}", Duration.ofDays(30));
        model("pricey", "{\"creditInputPer1M\": \"100\", \"creditOutputPer1M\": \"100\"}", Duration.ofDays(30));
        model("newbie", "{\"creditInputPer1M\": \"1\"}", Duration.ofDays(3));
        server.op("POST", "/v1/usage", "{\"events\": ["
                + taskEvent("e1", "big", "fix 500", Duration.ofDays(10), 100_000, 50_000) + ", "
                + taskEvent("e2", "big", "fix 500", Duration.ofDays(1), 200_000, 100_000) + ", "
                + taskEvent("e3", "small", "other task", Duration.ofDays(1), 1_000_000, 0) + "]}");

        TestServer.Response r = server.get("/v1/orgs/acme/usage/tasks/fix%20500/compare?models=small,flat,pricey,newbie", keys[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode c = r.json();
        assertThat(c.path("task").asText()).isEqualTo("fix 500");
        assertThat(c.path("events").asInt()).isEqualTo(2);
        // e1 on big v1: 1 + 1; e2 on big v2: 1 + 1
        assertThat(c.path("actual").path("credits").asText()).isEqualTo("4.00");
        assertThat(c.path("actual").path("models").get(0).asText()).isEqualTo("big");
        String[][] expected = {
                // model, credits, saved, unpriced events
                {"small", "1.00", "3.00", "0"},   // e1 on v1: 0.1 + 0.1; e2 on v2: 0.4 + 0.4
                {"flat", "3.00", "1.00", "0"},
                {"pricey", "45.00", "-41.00", "0"},
                {"newbie", "0.20", "3.80", "1"}};  // no version in force at e1
        for (int i = 0; i < expected.length; i++) {
            JsonNode row = c.path("alternatives").get(i);
            assertThat(row.path("model").asText()).isEqualTo(expected[i][0]);
            assertThat(row.path("credits").asText()).as(expected[i][0]).isEqualTo(expected[i][1]);
            assertThat(row.path("savedCredits").asText()).as(expected[i][0]).isEqualTo(expected[i][2]);
            assertThat(row.path("unpricedEvents").asInt()).as(expected[i][0]).isEqualTo(Integer.parseInt(expected[i][3]));
        }
        assertThat(server.op("GET", "/v1/orgs/acme/usage/tasks/fix%20500/compare?models=small", null).path("events").asInt()).isEqualTo(2);
        server.op("POST", "/v1/usage", "{\"events\": [" + taskEvent("e4", "small", "pr/42", Duration.ofDays(1), 10, 0) + "]}");
        TestServer.Response slash = server.get("/v1/orgs/acme/usage/tasks/pr%2F42/compare?models=big", keys[0]);
        assertThat(slash.status()).as(slash.body()).isEqualTo(200);
        assertThat(slash.json().path("task").asText()).isEqualTo("pr/42");
    }

    @Test
    void compareChecksAccessAndItsInputs() {
        String[] keys = acme();
        model("m", "{\"creditInputPer1M\": \"1\"}", Duration.ofDays(30));
        server.op("POST", "/v1/usage", "{\"events\": [" + taskEvent("e1", "m", "t1", Duration.ofDays(1), 10, 0) + "]}");
        String path = "/v1/orgs/acme/usage/tasks/t1/compare?models=m";
        assertThat(server.get(path, keys[1]).status()).as("member").isEqualTo(403);
        assertThat(server.get(path, keys[2]).status()).as("admin of another org").isEqualTo(403);
        assertThat(server.get(path, null).status()).isEqualTo(401);
        assertThat(server.get(path, keys[0]).status()).isEqualTo(200);
        assertThat(server.get("/v1/orgs/acme/usage/tasks/nope/compare?models=m", keys[0]).errorCode()).isEqualTo("TASK_NOT_FOUND");
        assertThat(server.get("/v1/orgs/acme/usage/tasks/t1/compare", keys[0]).errorCode()).isEqualTo("MISSING_FIELD");
        assertThat(server.get("/v1/orgs/acme/usage/tasks/t1/compare?models=m,,x", keys[0]).errorCode()).isEqualTo("VALIDATION_ERROR");
        assertThat(server.get("/v1/orgs/acme/usage/tasks/t1/compare?models=ghost", keys[0]).errorCode()).isEqualTo("MODEL_NOT_FOUND");
        assertThat(server.get("/v1/orgs/nowhere/usage/tasks/t1/compare?models=m", TestServer.OPERATOR_KEY).errorCode()).isEqualTo("ORG_NOT_FOUND");
        assertThat(server.get("/v1/orgs/nowhere/usage/tasks/t1/compare?models=m", keys[0]).status()).isEqualTo(403);
    }
}
