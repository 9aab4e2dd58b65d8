package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Amounts at the edge of the ledger's range and input a careless client sends (found by a
 * black-box run against the server): each is a precise 4xx, never a 500, and never leaves an org
 * unusable.
 */
class RangeAndInputApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "rng-plan", "1000", "allow");
        // The highest rate the API takes: 1,000,000,000 credits per 1M input tokens (1,000 credits a token).
        server.op("PUT", "/v1/models/rng-max", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "1000000000"}}""");
        server.op("PUT", "/v1/models/rng-cheap", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "1"}}""");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String newOrg(String orgId) {
        org(server, orgId, "rng-plan");
        member(server, orgId, "dev@" + orgId + ".example", "member");
        return orgId;
    }

    private static JsonNode post(String orgId, String id, String model, long inputTokens, String more) {
        TestServer.Response r = server.post("/v1/usage", OP, """
                {"id": "%s", "orgId": "%s", "memberId": "dev@%s.example", "model": "%s", "activity": "chat", "tokens": {"input": %d}%s}"""
                .formatted(id, orgId, orgId, model, inputTokens, more));
        assertStatus(r, 200);
        return r.json().path("events").get(0);
    }

    @Test
    void anOrgsUsageStopsAtTheLedgersRangeAndTheOrgStaysUsable() {
        String org = newOrg("rng-huge");
        // 10^9 tokens at 1,000 credits each: 10^12 credits, under the org's lifetime limit of 2^60 micro-credits.
        assertThat(post(org, "big-1", "rng-max", 1_000_000_000L, "").path("status").asText()).isEqualTo("accepted");
        // Another 2 * 10^11 credits would pass it: refused alone, as the sums could otherwise overflow (they did: a
        // second event of 5 * 10^12 credits left the org's totals at the 64-bit maximum and every later post a 500).
        JsonNode over = post(org, "big-2", "rng-max", 200_000_000L, "");
        assertThat(over.path("status").asText()).isEqualTo("rejected");
        assertThat(over.path("error").path("code").asText()).isEqualTo("AMOUNT_OUT_OF_RANGE");
        // Smaller usage still fits, and every view of the org answers with exact sums.
        assertThat(post(org, "small-1", "rng-max", 1, "").path("credits").asText()).isEqualTo("1000.00");
        JsonNode sub = server.op("GET", "/v1/orgs/" + org + "/subscription", null);
        assertThat(sub.path("usage").path("creditsUsed").asText()).isEqualTo("1000000001000.00");
        assertStatus(server.get("/v1/orgs/" + org + "/usage/members?from=2026-11-01&to=2026-11-30", OP), 200);
        assertStatus(server.get("/v1/orgs/" + org + "/usage/members.csv?from=2026-11-01&to=2026-11-30", OP), 200);
        JsonNode rec = server.op("GET", "/v1/orgs/" + org + "/ledger/reconciliation", null);
        assertThat(rec.path("balanced").asBoolean()).as(rec.toString()).isTrue();
    }

    @Test
    void aPriceOrComparisonBeyondTheLedgersRangeIsA400() {
        assertError(server.post("/v1/price", OP, """
                {"models": ["rng-max"], "tokens": {"input": 1000000000000}}"""), 400, "AMOUNT_OUT_OF_RANGE");
        String org = newOrg("rng-task");
        post(org, "task-1", "rng-cheap", 1_000_000_000_000L, ", \"task\": \"huge\"");
        assertError(server.get("/v1/orgs/" + org + "/usage/tasks/huge/compare?models=rng-max", OP), 400, "AMOUNT_OUT_OF_RANGE");
    }

    @Test
    void ratesInUsdAreHeldToTheSameCapAsRatesInCredits() {
        // 20,000,000 USD per 1M tokens at 100 credits per USD: 2,000,000,000 credits, above the cap of rates in credits.
        JsonNode e = assertError(server.put("/v1/models/rng-usd", OP, "{\"ratesUsd\": {\"inputPer1M\": \"20000000\"}}"), 400, "VALIDATION_ERROR");
        assertThat(e.path("message").asText()).contains("above the largest amount, 1000000000");
        assertStatus(server.put("/v1/models/rng-usd", OP, "{\"ratesUsd\": {\"inputPer1M\": \"10000000\"}}"), 200);
        JsonNode report = server.op("POST", "/v1/models:import?dryRun=true", "{\"rng-imp\": {\"input_cost_per_token\": 100, \"mode\": \"chat\"}}");
        assertThat(report.toString()).contains("rng-imp").contains("above the largest amount");
    }

    @Test
    void aDecimalWithAHugeExponentIsRefusedNotWrittenOut() {
        String org = newOrg("rng-exp");
        for (String credits : new String[] {"1E400000000", "1E-400000000", "1" + "0".repeat(41)}) {
            JsonNode e = assertFieldError(server.put("/v1/orgs/" + org + "/budgets", OP, """
                    {"org": {"credits": "%s", "enforce": true}}""".formatted(credits)), 400, "VALIDATION_ERROR", "credits");
            assertThat(e.path("message").asText()).contains("at most 40 digits").hasSizeLessThan(200);
        }
        assertFieldError(server.put("/v1/orgs/" + org + "/budgets", OP, "{\"org\": {\"credits\": \"\u0661\u0662\", \"enforce\": true}}"), 400,
                "VALIDATION_ERROR", "credits");
        assertStatus(server.put("/v1/orgs/" + org + "/budgets", OP, "{\"org\": {\"credits\": \"1e3\", \"enforce\": true}}"), 200);
    }

    @Test
    void valuesThatCouldNeverMatchAreRefusedNotStored() {
        String org = newOrg("rng-match");
        // [""] was stored as [], an allow-list that blocks every model.
        assertFieldError(server.put("/v1/orgs/" + org + "/restrictions", OP, "{\"models\": [\"\"]}"), 400, "VALIDATION_ERROR", "models");
        assertFieldError(server.put("/v1/orgs/" + org + "/restrictions", OP, "{\"activities\": [\"Chat\"]}"), 400, "VALIDATION_ERROR", "activities");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/restrictions", null).path("models").isNull()).isTrue();
        // authorize takes activities as usage does
        assertFieldError(server.post("/v1/authorize", OP, """
                {"orgId": "%s", "memberId": "dev@%s.example", "model": "rng-cheap", "activity": "BAD ACT"}""".formatted(org, org)), 400,
                "VALIDATION_ERROR", "activity");
        JsonNode blankId = server.post("/v1/usage", OP, """
                {"id": " ", "orgId": "%s", "memberId": "dev@%s.example", "model": "rng-cheap", "activity": "chat"}""".formatted(org, org))
                .json().path("events").get(0);
        assertThat(blankId.path("error").path("code").asText()).isEqualTo("VALIDATION_ERROR");
        assertFieldError(server.get("/v1/orgs/" + org + "/usage/members?from=2026-11-01&to=2026-11-30&search=%00", OP), 400,
                "VALIDATION_ERROR", "search");
    }

    @Test
    void aMemberPutWithoutARoleKeepsTheRoleItHad() {
        String org = newOrg("rng-role");
        member(server, org, "boss@" + org + ".example", "admin");
        JsonNode kept = server.op("PUT", "/v1/orgs/" + org + "/members/" + ApiTestSupport.enc("boss@" + org + ".example"), "{}");
        assertThat(kept.path("role").asText()).isEqualTo("admin");
        JsonNode fresh = server.op("PUT", "/v1/orgs/" + org + "/members/" + ApiTestSupport.enc("new@" + org + ".example"), "{}");
        assertThat(fresh.path("role").asText()).isEqualTo("member");
    }

    @Test
    void aQueryParameterGivenTwiceIsRefusedNotHalfRead() {
        // The first value won: dryRun=false&dryRun=true imported for real.
        assertFieldError(server.post("/v1/models:import?dryRun=false&dryRun=true", OP, "{\"rng-twice\": {\"input_cost_per_token\": 0.000001, \"mode\": \"chat\"}}"),
                400, "VALIDATION_ERROR", "dryRun");
        assertThat(server.get("/v1/models/rng-twice", OP).status()).isEqualTo(404);
        String org = newOrg("rng-twice");
        assertFieldError(server.get("/v1/orgs/" + org + "/usage/members?from=2026-11-01&from=2026-11-02&to=2026-11-30", OP), 400,
                "VALIDATION_ERROR", "from");
        // A parameter the endpoint does not take is refused, not ignored (a typo such as dryrun=true imported for real).
        assertFieldError(server.post("/v1/models:import?dryrun=true", OP, "{}"), 400, "UNKNOWN_FIELD", "dryrun");
        assertFieldError(server.get("/v1/orgs/" + org + "/notifications?limits=5", OP), 400, "UNKNOWN_FIELD", "limits");
        assertFieldError(server.get("/v1/orgs/" + org + "/usage/tasks/t/compare?model=rng-cheap", OP), 400, "UNKNOWN_FIELD", "model");
        JsonNode none = assertFieldError(server.get("/v1/me?x=1", OP), 400, "UNKNOWN_FIELD", "x");
        assertThat(none.path("message").asText()).contains("this endpoint takes none");
    }

    @Test
    void aWholeNumberIsOneHoweverItIsWritten() {
        String org = newOrg("rng-whole");
        String event = """
                {"id": "w-%s", "orgId": "%s", "memberId": "dev@%s.example", "model": "rng-cheap", "activity": "chat", "tokens": {"input": %s}}""";
        for (String n : new String[] {"1e3", "1000.0", "1000", "1.0E3"}) {
            JsonNode e = server.post("/v1/usage", OP, event.formatted(n, org, org, n)).json().path("events").get(0);
            assertThat(e.path("status").asText()).as(n).isEqualTo("accepted");
        }
        for (String n : new String[] {"1e13", "10000000000001", "1e400000000"}) {
            JsonNode e = server.post("/v1/usage", OP, event.formatted(n, org, org, n)).json().path("events").get(0);
            assertThat(e.path("error").path("code").asText()).as(n).isEqualTo("VALUE_TOO_LARGE");
        }
        JsonNode half = server.post("/v1/usage", OP, event.formatted("half", org, org, "1.5")).json().path("events").get(0);
        assertThat(half.path("error").path("message").asText()).contains("must be a whole number");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/subscription", null).path("usage").path("tokens").path("input").asLong()).isEqualTo(4_000);
    }

    @Test
    void timesOutsideTheYears1970To9999AreRefused() {
        String org = newOrg("rng-time");
        for (String t : new String[] {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "+10000-01-01T00:00:00Z"}) {
            assertFieldError(server.post("/v1/orgs/" + org + "/grants", OP, """
                    {"credits": "10", "reason": "t", "expiresAt": "%s"}""".formatted(t)), 400, "VALIDATION_ERROR", "expiresAt");
            assertFieldError(server.put("/v1/models/rng-time", OP, """
                    {"rates": {"creditPerRequest": "1"}, "effectiveFrom": "%s"}""".formatted(t)), 400, "VALIDATION_ERROR", "effectiveFrom");
            assertFieldError(server.post("/v1/models:import?dryRun=true&effectiveFrom=" + java.net.URLEncoder.encode(t, java.nio.charset.StandardCharsets.UTF_8),
                    OP, "{}"), 400, "VALIDATION_ERROR", "effectiveFrom");
        }
        assertStatus(server.post("/v1/orgs/" + org + "/grants", OP, """
                {"credits": "10", "reason": "t", "expiresAt": "9999-12-31T23:59:59Z"}"""), 201);
    }

    @Test
    void aBodyIsOneJsonDocumentAndItsErrorsSpeakJson() {
        String org = newOrg("rng-json");
        String event = """
                {"id": "j-%d", "orgId": "%s", "memberId": "dev@%s.example", "model": "rng-cheap", "activity": "chat"}""";
        JsonNode twoDocuments = assertError(server.post("/v1/usage", OP, event.formatted(1, org, org) + event.formatted(2, org, org)), 400, "MALFORMED_JSON");
        assertThat(twoDocuments.path("message").asText()).contains("something follows the JSON document").doesNotContain("DeserializationFeature");
        assertError(server.post("/v1/usage", OP, event.formatted(3, org, org) + " garbage"), 400, "MALFORMED_JSON");
        JsonNode longNumber = assertError(server.post("/v1/price", OP, "{\"models\": [\"rng-cheap\"], \"tokens\": {\"input\": " + "9".repeat(2_000) + "}}"),
                400, "MALFORMED_JSON");
        assertThat(longNumber.path("message").asText()).contains("longer than allowed").doesNotContain("StreamReadConstraints");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/subscription", null).path("usage").path("events").asLong()).isZero();
        JsonNode duplicate = assertError(server.post("/v1/price", OP, "{\"models\": [\"rng-cheap\"], \"models\": [\"rng-max\"]}"), 400, "MALFORMED_JSON");
        assertThat(duplicate.path("message").asText()).contains("Duplicate field 'models'").doesNotContain("DeserializationFeature").doesNotContain("ObjectNode");
    }

    @Test
    void idsThatNoPathCouldReachAreRefused() {
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": \"a/b\", \"name\": \"x\", \"planId\": \"rng-plan\"}"), 400, "VALIDATION_ERROR", "id");
        // A model may have '/' in its id (provider paths), but not end in /rates: GET /v1/models/{id}/rates lists a model's rates.
        assertFieldError(server.put("/v1/models/rng-cheap/rates", OP, "{\"rates\": {\"creditPerRequest\": \"1\"}}"), 400,
                "VALIDATION_ERROR", "modelId");
        assertStatus(server.put("/v1/models/openrouter/rng/x", OP, "{\"rates\": {\"creditPerRequest\": \"1\"}}"), 200);
        for (String bad : new String[] {"rng/"}) {
            assertFieldError(server.put("/v1/models/" + bad, OP, "{\"rates\": {\"creditPerRequest\": \"1\"}}"), 400, "VALIDATION_ERROR", "modelId");
        }
        assertFieldError(server.put("/v1/models/rng-label", OP, "{\"name\": \"" + "n".repeat(201) + "\"}"), 400, "VALIDATION_ERROR", "name");
        assertFieldError(server.put("/v1/models/rng-label", OP, "{\"provider\": \"a\\u0000b\"}"), 400, "VALIDATION_ERROR", "provider");
        // A blank name would show as an empty cell in every list; leaving it out keeps (or defaults) it.
        assertFieldError(server.put("/v1/models/rng-label", OP, "{\"name\": \"\"}"), 400, "VALIDATION_ERROR", "name");
        assertFieldError(server.put("/v1/models/rng-label", OP, "{\"provider\": \" \"}"), 400, "VALIDATION_ERROR", "provider");
        assertFieldError(server.put("/v1/plans/rng-blank", OP, "{\"name\": \" \", \"creditsIncluded\": \"1\"}"), 400, "VALIDATION_ERROR", "name");
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": \"rng-blank\", \"name\": \"\", \"planId\": \"rng-plan\"}"), 400, "VALIDATION_ERROR", "name");
        assertThat(server.op("GET", "/v1/models/rng-cheap/rates", null).path("modelId").asText()).isEqualTo("rng-cheap");
        String org = newOrg("rng-ids");
        for (String id : new String[] {"a\nb@rng.example", "a\tb@rng.example", "a\u0000b@rng.example"}) {
            assertFieldError(server.put("/v1/orgs/" + org + "/members/" + ApiTestSupport.enc(id), OP, "{}"), 400, "VALIDATION_ERROR", "memberId");
        }
    }
}
