package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.enc;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Models with effective-dated rate versions, and plans. */
class CatalogApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void resetClock() {
        server.clock.set(TestServer.START);
    }

    private static TestServer.Response putModel(String id, String body) {
        return server.put("/v1/models/" + id, OP, body);
    }

    private static List<String> ids(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }

    // ---- models ----

    @Test
    void putModelWithCreditRatesThenReadItBack() {
        TestServer.Response r = putModel("cat-sonnet", """
                {"name": "Sonnet", "provider": "anthropic", "effectiveFrom": "2026-01-01T00:00:00Z",
                 "rates": {"creditInputPer1M": "300", "creditOutputPer1M": "1500.5", "creditCacheWritePer1M": "375",
                           "creditCacheReadPer1M": 30, "creditCachedInputPer1M": "0.000001", "creditPerRequest": "0.25",
                           "creditPerToolCall": "1.125"}}""");
        assertStatus(r, 200);
        JsonNode m = r.json();
        assertThat(m.path("id").asText()).isEqualTo("cat-sonnet");
        assertThat(m.path("name").asText()).isEqualTo("Sonnet");
        assertThat(m.path("provider").asText()).isEqualTo("anthropic");
        assertThat(m.path("unmetered").asBoolean()).isFalse();
        assertThat(m.path("priced").asBoolean()).isTrue();
        assertThat(m.path("version").asInt()).isEqualTo(1);
        assertThat(m.path("effectiveFrom").asText()).isEqualTo("2026-01-01T00:00:00Z");
        JsonNode rates = m.path("rates");
        assertThat(rates.path("creditInputPer1M").asText()).isEqualTo("300.00");
        assertThat(rates.path("creditOutputPer1M").asText()).isEqualTo("1500.50");
        assertThat(rates.path("creditCacheWritePer1M").asText()).isEqualTo("375.00");
        assertThat(rates.path("creditCacheReadPer1M").asText()).isEqualTo("30.00");
        assertThat(rates.path("creditCachedInputPer1M").asText()).isEqualTo("0.000001");
        assertThat(rates.path("creditPerRequest").asText()).isEqualTo("0.25");
        assertThat(rates.path("creditPerToolCall").asText()).isEqualTo("1.125");
        assertThat(m.has("nextVersion")).isFalse();

        assertThat(server.op("GET", "/v1/models/cat-sonnet", null)).isEqualTo(m);
        JsonNode all = server.op("GET", "/v1/models", null).path("models");
        assertThat(ids(all, "id")).contains("cat-sonnet");
    }

    @Test
    void omittedRatesAreNotConfigured() {
        JsonNode m = server.op("PUT", "/v1/models/cat-partial", """
                {"rates": {"creditInputPer1M": "2"}}""");
        assertThat(m.path("name").asText()).as("name defaults to the id").isEqualTo("cat-partial");
        assertThat(m.path("provider").asText()).isEmpty();
        assertThat(m.path("rates").path("creditInputPer1M").asText()).isEqualTo("2.00");
        for (String f : List.of("creditOutputPer1M", "creditCacheWritePer1M", "creditCacheReadPer1M", "creditCachedInputPer1M",
                "creditPerRequest", "creditPerToolCall")) {
            assertThat(m.path("rates").path(f).isNull()).as(f).isTrue();
        }
        assertThat(m.path("effectiveFrom").asText()).as("a first version without effectiveFrom applies to all usage")
                .isEqualTo("1970-01-01T00:00:00Z");
        JsonNode second = server.op("PUT", "/v1/models/cat-partial", """
                {"rates": {"creditInputPer1M": "3"}}""");
        assertThat(second.path("effectiveFrom").asText()).as("later versions without effectiveFrom apply from now")
                .isEqualTo(TestServer.START.toString());

        JsonNode unpriced = server.op("PUT", "/v1/models/cat-unpriced", "{\"name\": \"Preview\"}");
        assertThat(unpriced.path("priced").asBoolean()).isFalse();
    }

    @Test
    void putModelWithUsdRatesConvertsAtTheDeploymentRate() {
        // The test server runs with 100 credits per USD.
        JsonNode m = server.op("PUT", "/v1/models/cat-usd", """
                {"name": "USD model", "provider": "openai",
                 "ratesUsd": {"inputPer1M": "2.50", "outputPer1M": 10, "cacheWritePer1M": "3.125", "cacheReadPer1M": "1.25",
                              "cachedInputPer1M": "0.0000015", "perRequest": "0.01", "perToolCall": "0.003"}}""");
        JsonNode rates = m.path("rates");
        assertThat(rates.path("creditInputPer1M").asText()).isEqualTo("250.00");
        assertThat(rates.path("creditOutputPer1M").asText()).isEqualTo("1000.00");
        assertThat(rates.path("creditCacheWritePer1M").asText()).isEqualTo("312.50");
        assertThat(rates.path("creditCacheReadPer1M").asText()).isEqualTo("125.00");
        assertThat(rates.path("creditCachedInputPer1M").asText()).isEqualTo("0.00015");
        assertThat(rates.path("creditPerRequest").asText()).isEqualTo("1.00");
        assertThat(rates.path("creditPerToolCall").asText()).isEqualTo("0.30");
    }

    @Test
    void ratesAndRatesUsdTogetherAre400() {
        assertFieldError(putModel("cat-both", """
                {"rates": {"creditInputPer1M": "1"}, "ratesUsd": {"inputPer1M": "1"}}"""), 400, "VALIDATION_ERROR", "rates");
        assertError(server.get("/v1/models/cat-both", OP), 404, "MODEL_NOT_FOUND");
    }

    @Test
    void unknownFieldsAre400UnknownField() {
        assertFieldError(putModel("cat-typo", """
                {"rates": {"creditInputPer1M": "1", "creditInputPer1K": "1"}}"""), 400, "UNKNOWN_FIELD", "rates.creditInputPer1K");
        assertFieldError(putModel("cat-typo", """
                {"ratesUsd": {"creditInputPer1M": "1"}}"""), 400, "UNKNOWN_FIELD", "ratesUsd.creditInputPer1M");
        assertFieldError(putModel("cat-typo", """
                {"name": "x", "price": "1"}"""), 400, "UNKNOWN_FIELD", "price");
        assertError(server.get("/v1/models/cat-typo", OP), 404, "MODEL_NOT_FOUND");
    }

    @Test
    void negativeRatesAre400() {
        assertFieldError(putModel("cat-neg", """
                {"rates": {"creditOutputPer1M": "-1"}}"""), 400, "VALIDATION_ERROR", "creditOutputPer1M");
        assertFieldError(putModel("cat-neg", """
                {"rates": {"creditPerRequest": -0.01}}"""), 400, "VALIDATION_ERROR", "creditPerRequest");
        assertFieldError(putModel("cat-neg", """
                {"ratesUsd": {"inputPer1M": "-0.5"}}"""), 400, "VALIDATION_ERROR", "ratesUsd.inputPer1M");
        assertError(server.get("/v1/models/cat-neg", OP), 404, "MODEL_NOT_FOUND");
    }

    @Test
    void ratesWithMoreThanSixDecimalsAre400() {
        assertFieldError(putModel("cat-dec", """
                {"rates": {"creditInputPer1M": "0.0000001"}}"""), 400, "VALIDATION_ERROR", "creditInputPer1M");
        assertFieldError(putModel("cat-dec", """
                {"rates": {"creditCacheReadPer1M": 1.1234567}}"""), 400, "VALIDATION_ERROR", "creditCacheReadPer1M");
        // Trailing zeros are not extra precision.
        assertThat(server.op("PUT", "/v1/models/cat-dec", """
                {"rates": {"creditInputPer1M": "1.500000000"}}""").path("rates").path("creditInputPer1M").asText()).isEqualTo("1.50");
    }

    @Test
    void malformedRatesAndBodiesAre400() {
        assertFieldError(putModel("cat-bad", """
                {"rates": {"creditInputPer1M": "cheap"}}"""), 400, "VALIDATION_ERROR", "creditInputPer1M");
        assertFieldError(putModel("cat-bad", """
                {"rates": [1, 2]}"""), 400, "VALIDATION_ERROR", "rates");
        assertFieldError(putModel("cat-bad", """
                {"unmetered": "yes"}"""), 400, "VALIDATION_ERROR", "unmetered");
        assertFieldError(putModel("cat-bad", """
                {"effectiveFrom": "next tuesday"}"""), 400, "VALIDATION_ERROR", "effectiveFrom");
        assertError(putModel("cat-bad", "{\"name\": "), 400, "MALFORMED_JSON");
        assertError(putModel("cat-bad", ""), 400, "MALFORMED_JSON");
        assertError(putModel("cat-bad", "[]"), 400, "VALIDATION_ERROR");
        assertError(putModel("cat-bad", "{\"name\": \"a\", \"name\": \"b\"}"), 400, "MALFORMED_JSON");
        assertFieldError(putModel("-starts-with-dash", "{}"), 400, "VALIDATION_ERROR", "modelId");
        assertFieldError(putModel(enc("has space"), "{}"), 400, "VALIDATION_ERROR", "modelId");
        assertFieldError(putModel("x".repeat(129), "{}"), 400, "VALIDATION_ERROR", "modelId");
        assertError(server.get("/v1/models/cat-bad", OP), 404, "MODEL_NOT_FOUND");
    }

    @Test
    void unknownModelIs404() {
        assertError(server.get("/v1/models/cat-nope", OP), 404, "MODEL_NOT_FOUND");
        assertError(server.get("/v1/models/cat-nope/rates", OP), 404, "MODEL_NOT_FOUND");
    }

    @Test
    void aPutWithoutNameOrProviderKeepsThem() {
        server.op("PUT", "/v1/models/cat-named", """
                {"name": "Sonnet", "provider": "anthropic", "rates": {"creditInputPer1M": "1"}}""");
        JsonNode again = server.op("PUT", "/v1/models/cat-named", "{\"rates\": {\"creditInputPer1M\": \"2\"}}");
        assertThat(again.path("name").asText()).isEqualTo("Sonnet");
        assertThat(again.path("provider").asText()).isEqualTo("anthropic");
        JsonNode renamed = server.op("PUT", "/v1/models/cat-named", "{\"provider\": \"bedrock\", \"rates\": {\"creditInputPer1M\": \"2\"}}");
        assertThat(renamed.path("name").asText()).isEqualTo("Sonnet");
        assertThat(renamed.path("provider").asText()).isEqualTo("bedrock");
        JsonNode fresh = server.op("PUT", "/v1/models/cat-unnamed", "{\"rates\": {\"creditInputPer1M\": \"1\"}}");
        assertThat(fresh.path("name").asText()).isEqualTo("cat-unnamed");
        assertThat(fresh.path("provider").asText()).isEmpty();
    }

    @Test
    void unmeteredFlagIsKept() {
        JsonNode m = server.op("PUT", "/v1/models/cat-local", """
                {"name": "Local", "provider": "ollama", "unmetered": true, "rates": {"creditInputPer1M": "1"}}""");
        assertThat(m.path("unmetered").asBoolean()).isTrue();
        assertThat(server.op("GET", "/v1/models/cat-local", null).path("unmetered").asBoolean()).isTrue();
    }

    @Test
    void rateVersionsAreListedAndAFutureVersionIsNotCurrentYet() {
        server.op("PUT", "/v1/models/cat-dated", """
                {"name": "Dated", "effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "100", "creditOutputPer1M": "200"}}""");
        JsonNode put2 = server.op("PUT", "/v1/models/cat-dated", """
                {"name": "Dated", "effectiveFrom": "2026-12-01T00:00:00Z", "rates": {"creditInputPer1M": "150", "creditOutputPer1M": "250"}}""");
        // The PUT answers with the model as it is now: still version 1.
        assertThat(put2.path("version").asInt()).isEqualTo(1);

        JsonNode versions = server.op("GET", "/v1/models/cat-dated/rates", null).path("versions");
        assertThat(versions).hasSize(2);
        assertThat(versions.get(0).path("version").asInt()).isEqualTo(1);
        assertThat(versions.get(0).path("effectiveFrom").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(versions.get(0).path("rates").path("creditInputPer1M").asText()).isEqualTo("100.00");
        assertThat(versions.get(1).path("version").asInt()).isEqualTo(2);
        assertThat(versions.get(1).path("effectiveFrom").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(versions.get(1).path("rates").path("creditOutputPer1M").asText()).isEqualTo("250.00");

        JsonNode m = server.op("GET", "/v1/models/cat-dated", null);
        assertThat(m.path("version").asInt()).isEqualTo(1);
        assertThat(m.path("effectiveFrom").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(m.path("rates").path("creditInputPer1M").asText()).isEqualTo("100.00");
        assertThat(m.path("nextVersion").path("version").asInt()).isEqualTo(2);
        assertThat(m.path("nextVersion").path("effectiveFrom").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(m.path("nextVersion").path("rates").path("creditInputPer1M").asText()).isEqualTo("150.00");

        // At the effective instant the new version is current and nothing is pending.
        server.clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        JsonNode later = server.op("GET", "/v1/models/cat-dated", null);
        assertThat(later.path("version").asInt()).isEqualTo(2);
        assertThat(later.path("rates").path("creditInputPer1M").asText()).isEqualTo("150.00");
        assertThat(later.has("nextVersion")).isFalse();
    }

    @Test
    void aModelWhoseOnlyVersionIsInTheFutureHasNoCurrentRates() {
        JsonNode m = server.op("PUT", "/v1/models/cat-future", """
                {"effectiveFrom": "2027-01-01T00:00:00Z", "rates": {"creditInputPer1M": "5"}}""");
        assertThat(m.path("version").isNull()).isTrue();
        assertThat(m.path("priced").asBoolean()).isFalse();
        assertThat(m.path("rates").path("creditInputPer1M").isNull()).isTrue();
        assertThat(m.path("nextVersion").path("version").asInt()).isEqualTo(1);
    }

    @Test
    void aCorrectionWithTheSameEffectiveDateSupersedesTheEarlierVersion() {
        server.op("PUT", "/v1/models/cat-fix", """
                {"effectiveFrom": "2026-11-01T00:00:00Z", "rates": {"creditInputPer1M": "10"}}""");
        JsonNode m = server.op("PUT", "/v1/models/cat-fix", """
                {"effectiveFrom": "2026-11-01T00:00:00Z", "rates": {"creditInputPer1M": "12"}}""");
        assertThat(m.path("version").asInt()).isEqualTo(2);
        assertThat(m.path("rates").path("creditInputPer1M").asText()).isEqualTo("12.00");
        assertThat(m.has("nextVersion")).isFalse();
    }

    @Test
    void aBackdatedVersionIsNeverShownAsNext() {
        server.op("PUT", "/v1/models/cat-backdated", """
                {"effectiveFrom": "2026-11-01T00:00:00Z", "rates": {"creditInputPer1M": "10"}}""");
        server.op("PUT", "/v1/models/cat-backdated", """
                {"effectiveFrom": "2026-11-10T00:00:00Z", "rates": {"creditInputPer1M": "20"}}""");
        // A correction for Nov 5-10 only, created after version 2.
        server.op("PUT", "/v1/models/cat-backdated", """
                {"effectiveFrom": "2026-11-05T00:00:00Z", "rates": {"creditInputPer1M": "15"}}""");
        JsonNode m = server.op("GET", "/v1/models/cat-backdated", null);
        assertThat(m.path("version").asInt()).isEqualTo(2);
        assertThat(m.has("nextVersion")).as("no version takes effect after now: %s", m).isFalse();
    }

    @Test
    void nextVersionIsTheSoonestFutureVersion() {
        server.op("PUT", "/v1/models/cat-two-future", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "10"}}""");
        server.op("PUT", "/v1/models/cat-two-future", """
                {"effectiveFrom": "2026-12-01T00:00:00Z", "rates": {"creditInputPer1M": "20"}}""");
        server.op("PUT", "/v1/models/cat-two-future", """
                {"effectiveFrom": "2027-01-01T00:00:00Z", "rates": {"creditInputPer1M": "30"}}""");
        JsonNode next = server.op("GET", "/v1/models/cat-two-future", null).path("nextVersion");
        assertThat(next.path("version").asInt()).isEqualTo(2);
        assertThat(next.path("effectiveFrom").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(next.path("rates").path("creditInputPer1M").asText()).isEqualTo("20.00");
    }

    @Test
    void modelIdsWithSlashesAreAddressableWhenEncoded() {
        // Ids like LiteLLM's "openrouter/anthropic/claude" pass the id rule; %2F keeps them one path segment.
        TestServer.Response put = putModel("openrouter%2Fclaude", "{\"rates\": {\"creditInputPer1M\": \"1\"}}");
        assertStatus(put, 200);
        assertThat(put.json().path("id").asText()).isEqualTo("openrouter/claude");
        assertThat(server.op("GET", "/v1/models/openrouter%2Fclaude", null).path("id").asText()).isEqualTo("openrouter/claude");
    }

    // ---- plans ----

    private static TestServer.Response putPlan(String id, String body) {
        return server.put("/v1/plans/" + id, OP, body);
    }

    @Test
    void putPlanThenReadItBack() {
        TestServer.Response r = putPlan("cat-pro", """
                {"name": "Pro", "monthlyPrice": {"amount": "149.00", "currency": "USD"}, "creditsIncluded": "40000",
                 "tokensIncluded": 5000000, "overage": "allow", "overagePricePerCredit": "0.015",
                 "features": ["Priority support", "SSO"]}""");
        assertStatus(r, 200);
        JsonNode p = r.json();
        assertThat(p.path("id").asText()).isEqualTo("cat-pro");
        assertThat(p.path("name").asText()).isEqualTo("Pro");
        assertThat(p.path("monthlyPrice").path("amount").asText()).isEqualTo("149.00");
        assertThat(p.path("monthlyPrice").path("currency").asText()).isEqualTo("USD");
        assertThat(p.path("creditsIncluded").asText()).isEqualTo("40000.00");
        assertThat(p.path("tokensIncluded").asLong()).isEqualTo(5_000_000L);
        assertThat(p.path("overage").asText()).isEqualTo("allow");
        assertThat(p.path("overagePricePerCredit").asText()).isEqualTo("0.015");
        assertThat(p.path("features")).hasSize(2);
        assertThat(p.path("features").get(0).asText()).isEqualTo("Priority support");
        assertThat(p.path("features").get(1).asText()).isEqualTo("SSO");

        assertThat(server.op("GET", "/v1/plans/cat-pro", null)).isEqualTo(p);
        assertThat(ids(server.op("GET", "/v1/plans", null).path("plans"), "id")).contains("cat-pro");
    }

    @Test
    void planDefaultsAndUpdates() {
        JsonNode p = server.op("PUT", "/v1/plans/cat-free", "{\"name\": \"Free\", \"creditsIncluded\": 100}");
        assertThat(p.path("monthlyPrice").path("amount").asText()).isEqualTo("0.00");
        assertThat(p.path("monthlyPrice").path("currency").asText()).isEqualTo("USD");
        assertThat(p.path("overage").asText()).as("hard limit by default").isEqualTo("block");
        assertThat(p.path("tokensIncluded").isNull()).isTrue();
        assertThat(p.path("overagePricePerCredit").isNull()).isTrue();
        assertThat(p.path("features")).isEmpty();

        JsonNode updated = server.op("PUT", "/v1/plans/cat-free", """
                {"name": "Free", "creditsIncluded": "150", "monthlyPrice": {"amount": 1500, "currency": "jpy"}}""");
        assertThat(updated.path("creditsIncluded").asText()).isEqualTo("150.00");
        assertThat(updated.path("monthlyPrice").path("amount").asText()).isEqualTo("1500");
        assertThat(updated.path("monthlyPrice").path("currency").asText()).isEqualTo("JPY");
        assertThat(server.op("GET", "/v1/plans/cat-free", null)).isEqualTo(updated);
    }

    @Test
    void plansAreListedByCreditsIncluded() {
        server.op("PUT", "/v1/plans/cat-list-big", "{\"name\": \"Big\", \"creditsIncluded\": \"900000\"}");
        server.op("PUT", "/v1/plans/cat-list-small", "{\"name\": \"Small\", \"creditsIncluded\": \"0.5\"}");
        List<String> ids = ids(server.op("GET", "/v1/plans", null).path("plans"), "id");
        assertThat(ids.indexOf("cat-list-small")).isLessThan(ids.indexOf("cat-list-big"));
    }

    @Test
    void badPlansAre400() {
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "overage": "sometimes"}"""), 400, "VALIDATION_ERROR", "overage");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "monthlyPrice": {"amount": "10", "currency": "DOLLARS"}}"""),
                400, "VALIDATION_ERROR", "monthlyPrice.currency");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "monthlyPrice": {"amount": "10", "currency": "ZZZ"}}"""),
                400, "VALIDATION_ERROR", "monthlyPrice.currency");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "monthlyPrice": {"amount": "149.001", "currency": "USD"}}"""),
                400, "VALIDATION_ERROR", "monthlyPrice.amount");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "monthlyPrice": {"amount": "100.5", "currency": "JPY"}}"""),
                400, "VALIDATION_ERROR", "monthlyPrice.amount");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "monthlyPrice": {"amount": "-1", "currency": "USD"}}"""),
                400, "VALIDATION_ERROR", "monthlyPrice.amount");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "monthlyPrice": {"amount": "1", "cents": 100}}"""),
                400, "UNKNOWN_FIELD", "monthlyPrice.cents");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10.0000001"}"""), 400, "VALIDATION_ERROR", "creditsIncluded");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "-10"}"""), 400, "VALIDATION_ERROR", "creditsIncluded");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "overagePricePerCredit": "0.123456789"}"""),
                400, "VALIDATION_ERROR", "overagePricePerCredit");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "tokensIncluded": -5}"""), 400, "NEGATIVE_COUNT", "tokensIncluded");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "features": ["ok", "two\\nlines"]}"""), 400, "VALIDATION_ERROR", "features");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X", "creditsIncluded": "10", "seats": 5}"""), 400, "UNKNOWN_FIELD", "seats");
        assertFieldError(putPlan("cat-bad-plan", """
                {"creditsIncluded": "10"}"""), 400, "MISSING_FIELD", "name");
        assertFieldError(putPlan("cat-bad-plan", """
                {"name": "X"}"""), 400, "MISSING_FIELD", "creditsIncluded");
        assertError(putPlan("cat-bad-plan", "{"), 400, "MALFORMED_JSON");
        assertFieldError(putPlan(enc("bad plan"), "{\"name\": \"X\", \"creditsIncluded\": \"1\"}"), 400, "VALIDATION_ERROR", "planId");
        assertError(server.get("/v1/plans/cat-bad-plan", OP), 404, "PLAN_NOT_FOUND");
    }

    @Test
    void unknownPlanIs404() {
        assertError(server.get("/v1/plans/cat-no-plan", OP), 404, "PLAN_NOT_FOUND");
    }
}
