package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertErrorStatus;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.balance;
import static creditline.api.http.ApiTestSupport.credits;
import static creditline.api.http.ApiTestSupport.dec;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.minus;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.subscription;
import static creditline.api.http.ApiTestSupport.sum;
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/usage}: idempotent ingestion, per-event outcomes, exact pricing, ledger effects. */
class UsageApiTest {
    private static final Instant NOW = TestServer.START;
    /** The rate card of {@code use-m}, in credits. */
    private static final ApiTestSupport.Rates M = new ApiTestSupport.Rates("3", "15", "3.75", "0.30", "0.02", "0.5");
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "use-plan", "1000", "block");
        plan(server, "use-small", "10", "allow");
        server.op("PUT", "/v1/models/use-m", """
                {"name": "Model M", "provider": "test", "effectiveFrom": "2026-01-01T00:00:00Z",
                 "rates": {"creditInputPer1M": "3", "creditOutputPer1M": "15", "creditCacheWritePer1M": "3.75",
                           "creditCacheReadPer1M": "0.30", "creditPerRequest": "0.02", "creditPerToolCall": "0.5"}}""");
        server.op("PUT", "/v1/models/use-nocache", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "2", "creditOutputPer1M": "8"}}""");
        server.op("PUT", "/v1/models/use-local", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "unmetered": true, "rates": {"creditInputPer1M": "3", "creditOutputPer1M": "15"}}""");
        server.op("PUT", "/v1/models/use-preview", "{\"name\": \"Preview\", \"effectiveFrom\": \"2026-01-01T00:00:00Z\"}");
        server.op("PUT", "/v1/models/use-cent", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditPerRequest": "0.01"}}""");
        unitModel(server, "use-unit");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A new org on {@code planId} with member {@code dev@<orgId>.example}. */
    private static String newOrg(String orgId, String planId) {
        org(server, orgId, planId);
        member(server, orgId, dev(orgId), "member");
        return orgId;
    }

    private static String dev(String orgId) {
        return "dev@" + orgId + ".example";
    }

    private static String event(String id, String orgId, String model, String rest) {
        return """
                {"id": "%s", "orgId": "%s", "memberId": "%s", "model": "%s", "activity": "chat"%s}"""
                .formatted(id, orgId, dev(orgId), model, rest.isEmpty() ? "" : ", " + rest);
    }

    private static String batch(String... events) {
        return "{\"events\": [" + String.join(",\n", events) + "]}";
    }

    private static JsonNode post(String body) {
        TestServer.Response r = server.post("/v1/usage", OP, body);
        assertStatus(r, 200);
        return r.json();
    }

    private static void assertCounts(JsonNode r, int accepted, int duplicates, int rejected) {
        assertThat(r.path("accepted").asInt()).as("accepted in %s", r).isEqualTo(accepted);
        assertThat(r.path("duplicates").asInt()).as("duplicates in %s", r).isEqualTo(duplicates);
        assertThat(r.path("rejected").asInt()).as("rejected in %s", r).isEqualTo(rejected);
        assertThat(r.path("events")).hasSize(accepted + duplicates + rejected);
    }

    private static void assertOutcome(JsonNode e, String id, String status, String credits) {
        assertThat(e.path("id").asText()).isEqualTo(id);
        assertThat(e.path("status").asText()).as("status of %s", e).isEqualTo(status);
        assertThat(e.path("credits").asText()).as("credits of %s", e).isEqualTo(credits);
        assertThat(e.has("error")).as("error of %s", e).isFalse();
    }

    private static void assertRejected(JsonNode e, String id, String code) {
        if (id == null) assertThat(e.path("id").isNull()).as("id of %s", e).isTrue();
        else assertThat(e.path("id").asText()).isEqualTo(id);
        assertThat(e.path("status").asText()).as("status of %s", e).isEqualTo("rejected");
        assertThat(e.path("credits").asText()).isEqualTo("0.00");
        assertThat(e.path("error").path("code").asText()).as("error of %s", e).isEqualTo(code);
        assertThat(e.path("error").path("message").asText()).isNotBlank();
    }

    private static String creditsOf(String orgId) {
        return balance(server, orgId).path("credits").asText();
    }

    // ---- shapes ----

    @Test
    void aSingleEventObjectIsAccepted() {
        String org = newOrg("use-single", "use-plan");
        JsonNode r = post(event("single-1", org, "use-m", "\"tokens\": {\"input\": 1000000, \"output\": 100000}"));
        assertCounts(r, 1, 0, 0);
        String expected = credits(M, 1_000_000, 100_000, 0, 0, 0); // 3 + 1.5 + 0.02
        assertThat(expected).isEqualTo("4.52");
        assertOutcome(r.path("events").get(0), "single-1", "accepted", expected);
        assertThat(creditsOf(org)).isEqualTo(minus("1000", expected));
    }

    @Test
    void aBatchAnswersOneEntryPerEventInOrder() {
        String org = newOrg("use-batch", "use-plan");
        JsonNode r = post(batch(
                event("batch-c", org, "use-m", "\"tokens\": {\"input\": 10}"),
                event("batch-a", org, "use-m", "\"tokens\": {\"output\": 20000}"),
                event("batch-b", org, "use-m", "\"toolCalls\": 3")));
        assertCounts(r, 3, 0, 0);
        assertOutcome(r.path("events").get(0), "batch-c", "accepted", credits(M, 10, 0, 0, 0, 0));
        assertOutcome(r.path("events").get(1), "batch-a", "accepted", credits(M, 0, 20_000, 0, 0, 0));
        assertOutcome(r.path("events").get(2), "batch-b", "accepted", credits(M, 0, 0, 0, 0, 3));
        assertThat(r.path("events").get(2).path("credits").asText()).isEqualTo("1.52");
    }

    // ---- idempotency ----

    @Test
    void resendingAnIdIsADuplicateWithTheOriginalCreditsAndChargesNothing() {
        String org = newOrg("use-dup", "use-plan");
        String original = credits(M, 200_000, 50_000, 0, 0, 0);
        assertOutcome(post(event("dup-1", org, "use-m", "\"tokens\": {\"input\": 200000, \"output\": 50000}")).path("events").get(0),
                "dup-1", "accepted", original);
        String after = creditsOf(org);
        JsonNode sub = subscription(server, org);

        // Same id, different content: still the first recording that counts.
        JsonNode again = post(event("dup-1", org, "use-m", "\"tokens\": {\"input\": 9000000}"));
        assertCounts(again, 0, 1, 0);
        assertOutcome(again.path("events").get(0), "dup-1", "duplicate", original);
        assertThat(creditsOf(org)).isEqualTo(after);
        assertThat(subscription(server, org)).isEqualTo(sub);
    }

    @Test
    void theSameIdTwiceInOneBatchChargesOnce() {
        String org = newOrg("use-dup-batch", "use-plan");
        String first = credits(M, 100_000, 0, 0, 0, 0);
        JsonNode r = post(batch(
                event("twice", org, "use-m", "\"tokens\": {\"input\": 100000}"),
                event("other", org, "use-m", ""),
                event("twice", org, "use-m", "\"tokens\": {\"input\": 700000}")));
        assertCounts(r, 2, 1, 0);
        assertOutcome(r.path("events").get(0), "twice", "accepted", first);
        assertOutcome(r.path("events").get(1), "other", "accepted", "0.02");
        assertOutcome(r.path("events").get(2), "twice", "duplicate", first);
        assertThat(creditsOf(org)).isEqualTo(minus("1000", sum(first, "0.02")));
        assertThat(subscription(server, org).path("usage").path("events").asLong()).isEqualTo(2);

        // A batch resent whole is all duplicates.
        JsonNode resent = post(batch(event("twice", org, "use-m", ""), event("other", org, "use-m", ""), event("twice", org, "use-m", "")));
        assertCounts(resent, 0, 3, 0);
        assertOutcome(resent.path("events").get(0), "twice", "duplicate", first);
        assertOutcome(resent.path("events").get(2), "twice", "duplicate", first);
    }

    @Test
    void eventIdsAreScopedByOrg() {
        String a = newOrg("use-scope-a", "use-plan");
        String b = newOrg("use-scope-b", "use-plan");
        JsonNode r = post(batch(event("shared-id", a, "use-m", ""), event("shared-id", b, "use-m", "")));
        assertCounts(r, 2, 0, 0);
    }

    @Test
    void concurrentRequestsChargeEachEventOnce() throws Exception {
        String org = newOrg("use-concurrent", "use-plan");
        int requests = 16;
        List<Future<JsonNode>> same = new ArrayList<>();
        List<Future<JsonNode>> distinct = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < requests; i++) {
                String id = "conc-" + i;
                same.add(pool.submit(() -> post(event("conc-same", org, "use-unit", "\"tokens\": {\"input\": 7}"))));
                distinct.add(pool.submit(() -> post(event(id, org, "use-unit", "\"tokens\": {\"input\": 1}"))));
            }
        }
        int accepted = 0;
        for (Future<JsonNode> f : same) {
            JsonNode e = f.get().path("events").get(0);
            assertThat(e.path("credits").asText()).isEqualTo("7.00");
            if (e.path("status").asText().equals("accepted")) accepted++;
            else assertThat(e.path("status").asText()).isEqualTo("duplicate");
        }
        assertThat(accepted).as("exactly one of the concurrent copies is accepted").isEqualTo(1);
        for (Future<JsonNode> f : distinct) assertThat(f.get().path("accepted").asInt()).isEqualTo(1);
        assertThat(creditsOf(org)).isEqualTo("977.00");
        assertThat(subscription(server, org).path("usage").path("events").asLong()).isEqualTo(requests + 1);
    }

    @Test
    void everyContractFieldOfAnEventIsAccepted() {
        String org = newOrg("use-full", "use-plan");
        JsonNode r = post(batch("""
                {"id": "full-1", "orgId": "%s", "memberId": "%s", "model": "use-m", "activity": "code_review",
                 "occurredAt": "2026-11-15T11:00:00Z", "tokens": {"input": 1000, "output": 2000, "cacheWrite": 0, "cacheRead": 0},
                 "toolCalls": 2, "reservationId": "res-1", "byoKey": false, "agent": "pr-reviewer", "conversation": "conv-1",
                 "task": "task-1", "session": "sess-1", "latencyMs": 1234, "status": "success", "region": "eu-west-1",
                 "retries": 0, "iterations": 3, "externalCalls": 1, "contextBytes": 40960, "metadata": {"pr": 42, "repo": "acme/api"}}"""
                        .formatted(org, dev(org)),
                event("full-custom", org, "use-m", "\"status\": \"error\"").replace("\"activity\": \"chat\"", "\"activity\": \"my.custom-activity:v2\""),
                event("full-bad-status", org, "use-m", "\"status\": \"ok\""),
                event("full-bad-metadata", org, "use-m", "\"metadata\": \"pr=42\""),
                event("full-bad-latency", org, "use-m", "\"latencyMs\": -1"),
                event("full-bad-byo", org, "use-m", "\"byoKey\": \"yes\"")));
        assertCounts(r, 2, 0, 4);
        assertOutcome(r.path("events").get(0), "full-1", "accepted", credits(M, 1000, 2000, 0, 0, 2));
        assertThat(r.path("events").get(0).path("credits").asText()).isEqualTo("1.05");
        assertOutcome(r.path("events").get(1), "full-custom", "accepted", "0.02");
        assertRejected(r.path("events").get(2), "full-bad-status", "VALIDATION_ERROR");
        assertRejected(r.path("events").get(3), "full-bad-metadata", "VALIDATION_ERROR");
        assertRejected(r.path("events").get(4), "full-bad-latency", "NEGATIVE_COUNT");
        assertRejected(r.path("events").get(5), "full-bad-byo", "VALIDATION_ERROR");
    }

    // ---- per-event errors ----

    @Test
    void eachBadEventGetsItsOwnErrorWhileGoodOnesAreAccepted() {
        String org = newOrg("use-mixed", "use-plan");
        String tooOld = NOW.minus(Duration.ofDays(35)).minusSeconds(1).toString();
        String tooNew = NOW.plus(Duration.ofMinutes(5)).plusSeconds(1).toString();
        JsonNode r = post(batch(
                event("mix-good-1", org, "use-m", "\"tokens\": {\"input\": 1000}"),
                event("mix-org", "use-no-such-org", "use-m", ""),
                event("mix-model", org, "use-no-such-model", ""),
                """
                {"id": "mix-member", "orgId": "%s", "memberId": "ghost@use-mixed.example", "model": "use-m", "activity": "chat"}""".formatted(org),
                event("mix-negative", org, "use-m", "\"tokens\": {\"input\": -1}"),
                event("mix-negative-tools", org, "use-m", "\"toolCalls\": -2"),
                event("mix-old", org, "use-m", "\"occurredAt\": \"" + tooOld + "\""),
                event("mix-future", org, "use-m", "\"occurredAt\": \"" + tooNew + "\""),
                """
                {"orgId": "%s", "memberId": "%s", "model": "use-m", "activity": "chat"}""".formatted(org, dev(org)),
                event("mix-unknown", org, "use-m", "\"tokenz\": {\"input\": 1}"),
                event("mix-unknown-token", org, "use-m", "\"tokens\": {\"inputs\": 1}"),
                event("mix-inconsistent", org, "use-m", "\"openaiUsage\": {\"prompt_tokens\": 10, \"completion_tokens\": 5, \"prompt_tokens_details\": {\"cached_tokens\": 11}}"),
                event("mix-both", org, "use-m", "\"tokens\": {\"input\": 1}, \"anthropicUsage\": {\"input_tokens\": 1}"),
                event("mix-fraction", org, "use-m", "\"tokens\": {\"input\": 1.5}"),
                event("mix-activity", org, "use-m", "\"activity\": \"Chat Mode\"").replace("\"activity\": \"chat\", ", ""),
                event("mix-time", org, "use-m", "\"occurredAt\": \"yesterday\""),
                "42",
                event("mix-good-2", org, "use-m", "\"tokens\": {\"output\": 1000}")));
        assertCounts(r, 2, 0, 16);
        JsonNode e = r.path("events");
        assertOutcome(e.get(0), "mix-good-1", "accepted", credits(M, 1000, 0, 0, 0, 0));
        assertRejected(e.get(1), "mix-org", "ORG_NOT_FOUND");
        assertRejected(e.get(2), "mix-model", "MODEL_NOT_FOUND");
        assertRejected(e.get(3), "mix-member", "MEMBER_NOT_FOUND");
        assertRejected(e.get(4), "mix-negative", "NEGATIVE_COUNT");
        assertRejected(e.get(5), "mix-negative-tools", "NEGATIVE_COUNT");
        assertRejected(e.get(6), "mix-old", "OCCURRED_AT_OUT_OF_RANGE");
        assertRejected(e.get(7), "mix-future", "OCCURRED_AT_OUT_OF_RANGE");
        assertRejected(e.get(8), null, "MISSING_FIELD");
        assertRejected(e.get(9), "mix-unknown", "UNKNOWN_FIELD");
        assertRejected(e.get(10), "mix-unknown-token", "UNKNOWN_FIELD");
        assertRejected(e.get(11), "mix-inconsistent", "INCONSISTENT_USAGE");
        assertRejected(e.get(12), "mix-both", "VALIDATION_ERROR");
        assertRejected(e.get(13), "mix-fraction", "VALIDATION_ERROR");
        assertRejected(e.get(14), "mix-activity", "VALIDATION_ERROR");
        assertRejected(e.get(15), "mix-time", "VALIDATION_ERROR");
        assertRejected(e.get(16), null, "VALIDATION_ERROR");
        assertOutcome(e.get(17), "mix-good-2", "accepted", credits(M, 0, 1000, 0, 0, 0));

        String charged = sum(credits(M, 1000, 0, 0, 0, 0), credits(M, 0, 1000, 0, 0, 0));
        assertThat(creditsOf(org)).isEqualTo(minus("1000", charged));
        JsonNode usage = subscription(server, org).path("usage");
        assertThat(usage.path("events").asLong()).isEqualTo(2);
        assertThat(usage.path("creditsUsed").asText()).isEqualTo(charged);

        // A rejected id was not recorded: sent again correctly, it is accepted.
        assertCounts(post(event("mix-negative", org, "use-m", "")), 1, 0, 0);
    }

    @Test
    void detailsAreRefusedBeyondTheirLimits() {
        String org = newOrg("use-limits", "use-plan");
        String fits = "{\"n\": \"" + "a".repeat(16_384 - 8) + "\"}"; // 16,384 bytes as stored: {"n":"aa…a"}
        String wide = "{\"n\": \"" + "é".repeat(9_000) + "\"}"; // 9,008 characters as stored, 18,008 bytes in UTF-8
        JsonNode r = post(batch(
                event("lim-meta-fits", org, "use-m", "\"metadata\": " + fits),
                event("lim-meta-wide", org, "use-m", "\"metadata\": " + wide),
                event("lim-region", org, "use-m", "\"region\": \"" + "r".repeat(65) + "\""),
                event("lim-agent", org, "use-m", "\"agent\": \"" + "a".repeat(501) + "\""),
                event("x".repeat(201), org, "use-m", "")));
        assertCounts(r, 1, 0, 4);
        JsonNode e = r.path("events");
        assertThat(e.get(0).path("status").asText()).isEqualTo("accepted");
        assertRejected(e.get(1), "lim-meta-wide", "VALIDATION_ERROR");
        assertThat(e.get(1).path("error").path("message").asText()).isEqualTo("metadata is larger than 16384 bytes (UTF-8), got 18008");
        assertRejected(e.get(2), "lim-region", "VALIDATION_ERROR");
        assertThat(e.get(2).path("error").path("message").asText()).isEqualTo("region is longer than 64 characters");
        assertRejected(e.get(3), "lim-agent", "VALIDATION_ERROR");
        assertThat(e.get(4).path("status").asText()).isEqualTo("rejected");
    }

    @Test
    void anEmptyLabelIsTheSameAsNone() {
        String org = newOrg("use-empty-label", "use-plan");
        assertCounts(post(event("empty-agent", org, "use-m", "\"agent\": \"\", \"task\": \"\", \"region\": \"\"")), 1, 0, 0);
        String line = server.get("/v1/orgs/" + org + "/usage/events?from=2026-10-01&to=2026-12-01&format=jsonl", OP).body().strip();
        JsonNode exported = Json.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(exported.path("id").asText()).isEqualTo("empty-agent");
        assertThat(exported.path("agent").isMissingNode() || exported.path("agent").isNull()).as(line).isTrue();
        assertThat(exported.path("task").isMissingNode() || exported.path("task").isNull()).as(line).isTrue();
    }

    @Test
    void aSingleBadEventIsReportedInTheEventsList() {
        String org = newOrg("use-single-bad", "use-plan");
        JsonNode r = post(event("single-bad", org, "use-no-such-model", ""));
        assertCounts(r, 0, 0, 1);
        assertRejected(r.path("events").get(0), "single-bad", "MODEL_NOT_FOUND");
    }

    @Test
    void occurredAtWindowIsThirtyFiveDaysBackToFiveMinutesAhead() {
        String org = newOrg("use-window", "use-plan");
        JsonNode r = post(batch(
                event("win-oldest", org, "use-m", "\"occurredAt\": \"" + NOW.minus(Duration.ofDays(35)) + "\""),
                event("win-newest", org, "use-m", "\"occurredAt\": \"" + NOW.plus(Duration.ofMinutes(5)) + "\""),
                event("win-too-old", org, "use-m", "\"occurredAt\": \"" + NOW.minus(Duration.ofDays(35)).minusMillis(1) + "\""),
                event("win-too-new", org, "use-m", "\"occurredAt\": \"" + NOW.plus(Duration.ofMinutes(5)).plusMillis(1) + "\"")));
        assertCounts(r, 2, 0, 2);
        assertOutcome(r.path("events").get(0), "win-oldest", "accepted", "0.02");
        assertOutcome(r.path("events").get(1), "win-newest", "accepted", "0.02");
        assertRejected(r.path("events").get(2), "win-too-old", "OCCURRED_AT_OUT_OF_RANGE");
        assertRejected(r.path("events").get(3), "win-too-new", "OCCURRED_AT_OUT_OF_RANGE");
    }

    // ---- pricing ----

    @Test
    void tokensToolCallsAndPerRequestArePricedExactly() {
        String org = newOrg("use-formula", "use-plan");
        JsonNode r = post(event("formula-1", org, "use-m",
                "\"tokens\": {\"input\": 123457, \"output\": 98765, \"cacheWrite\": 43210, \"cacheRead\": 987654}, \"toolCalls\": 7"));
        // 0.370371 + 1.481475 + 0.1620375 + 0.2962962 + 0.02 + 3.5 = 5.8301797 -> 5.83
        assertThat(credits(M, 123_457, 98_765, 43_210, 987_654, 7)).isEqualTo("5.83");
        assertOutcome(r.path("events").get(0), "formula-1", "accepted", "5.83");
    }

    @Test
    void chargesAreRoundedHalfUpToTwoDecimals() {
        String org = newOrg("use-round", "use-plan");
        server.op("PUT", "/v1/models/use-half", "{\"effectiveFrom\": \"2026-01-01T00:00:00Z\", \"rates\": {\"creditInputPer1M\": \"5000\"}}");
        server.op("PUT", "/v1/models/use-below-half", "{\"effectiveFrom\": \"2026-01-01T00:00:00Z\", \"rates\": {\"creditInputPer1M\": \"4999.999999\"}}");
        JsonNode r = post(batch(
                event("round-1", org, "use-half", "\"tokens\": {\"input\": 1}"),      // 0.005 -> 0.01
                event("round-2", org, "use-below-half", "\"tokens\": {\"input\": 1}"), // 0.004999999999 -> 0.00
                event("round-3", org, "use-half", "\"tokens\": {\"input\": 3}"),      // 0.015 -> 0.02
                event("round-4", org, "use-half", "\"tokens\": {\"input\": 2}")));    // 0.010 -> 0.01
        assertOutcome(r.path("events").get(0), "round-1", "accepted", "0.01");
        assertOutcome(r.path("events").get(1), "round-2", "accepted", "0.00");
        assertOutcome(r.path("events").get(2), "round-3", "accepted", "0.02");
        assertOutcome(r.path("events").get(3), "round-4", "accepted", "0.01");
        assertThat(creditsOf(org)).isEqualTo("999.96");
    }

    @Test
    void aModelWithoutCacheRatesBillsCacheTokensAtItsInputRate() {
        String org = newOrg("use-fallback", "use-plan");
        ApiTestSupport.Rates noCache = new ApiTestSupport.Rates("2", "8", "2", "2", null, null);
        JsonNode r = post(event("fallback-1", org, "use-nocache",
                "\"tokens\": {\"input\": 100000, \"output\": 100000, \"cacheWrite\": 500000, \"cacheRead\": 2000000}"));
        assertThat(credits(noCache, 100_000, 100_000, 500_000, 2_000_000, 0)).isEqualTo("6.00");
        assertOutcome(r.path("events").get(0), "fallback-1", "accepted", "6.00");
    }

    @Test
    void openAiChatUsageCountsCachedTokensInsidePromptTokens() {
        String org = newOrg("use-openai-chat", "use-plan");
        JsonNode r = post(event("oa-chat-1", org, "use-m", """
                "openaiUsage": {"prompt_tokens": 1234567, "completion_tokens": 345678, "total_tokens": 1580245,
                  "prompt_tokens_details": {"cached_tokens": 1000000, "audio_tokens": 0},
                  "completion_tokens_details": {"reasoning_tokens": 100000, "audio_tokens": 0,
                    "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}"""));
        // uncached input 234567, cache read 1000000, output 345678
        String expected = credits(M, 234_567, 345_678, 0, 1_000_000, 0);
        assertThat(expected).isEqualTo("6.21");
        assertOutcome(r.path("events").get(0), "oa-chat-1", "accepted", expected);
        JsonNode tokens = subscription(server, org).path("usage").path("tokens");
        assertThat(tokens.path("input").asLong()).isEqualTo(234_567);
        assertThat(tokens.path("output").asLong()).isEqualTo(345_678);
        assertThat(tokens.path("cacheWrite").asLong()).isZero();
        assertThat(tokens.path("cacheRead").asLong()).isEqualTo(1_000_000);
        assertThat(subscription(server, org).path("usage").path("totalTokensUsed").asLong()).isEqualTo(1_580_245);
    }

    @Test
    void openAiResponsesUsageUsesInputTokensDetails() {
        String org = newOrg("use-openai-resp", "use-plan");
        JsonNode r = post(event("oa-resp-1", org, "use-m", """
                "openaiUsage": {"input_tokens": 50000, "input_tokens_details": {"cached_tokens": 40000},
                  "output_tokens": 12345, "output_tokens_details": {"reasoning_tokens": 10000}, "total_tokens": 62345}"""));
        String expected = credits(M, 10_000, 12_345, 0, 40_000, 0);
        assertThat(expected).isEqualTo("0.25");
        assertOutcome(r.path("events").get(0), "oa-resp-1", "accepted", expected);
        JsonNode tokens = subscription(server, org).path("usage").path("tokens");
        assertThat(tokens.path("input").asLong()).isEqualTo(10_000);
        assertThat(tokens.path("cacheRead").asLong()).isEqualTo(40_000);
        assertThat(tokens.path("output").asLong()).isEqualTo(12_345);
    }

    @Test
    void openAiUsageWithoutDetailsHasNoCachedTokens() {
        String org = newOrg("use-openai-plain", "use-plan");
        JsonNode r = post(event("oa-plain-1", org, "use-m", "\"openaiUsage\": {\"prompt_tokens\": 400000, \"completion_tokens\": 20000}"));
        assertOutcome(r.path("events").get(0), "oa-plain-1", "accepted", credits(M, 400_000, 20_000, 0, 0, 0));
    }

    @Test
    void anthropicUsageInputExcludesCacheTokens() {
        String org = newOrg("use-anthropic", "use-plan");
        JsonNode r = post(event("an-1", org, "use-m", """
                "anthropicUsage": {"input_tokens": 1500, "cache_creation_input_tokens": 200000, "cache_read_input_tokens": 3000000,
                  "output_tokens": 80000, "cache_creation": {"ephemeral_5m_input_tokens": 200000, "ephemeral_1h_input_tokens": 0},
                  "server_tool_use": {"web_search_requests": 0}, "service_tier": "standard"}"""));
        String expected = credits(M, 1500, 80_000, 200_000, 3_000_000, 0);
        assertThat(expected).isEqualTo("2.87");
        assertOutcome(r.path("events").get(0), "an-1", "accepted", expected);
        JsonNode tokens = subscription(server, org).path("usage").path("tokens");
        assertThat(tokens.path("input").asLong()).isEqualTo(1500);
        assertThat(tokens.path("output").asLong()).isEqualTo(80_000);
        assertThat(tokens.path("cacheWrite").asLong()).isEqualTo(200_000);
        assertThat(tokens.path("cacheRead").asLong()).isEqualTo(3_000_000);
    }

    @Test
    void anthropicUsageWithNullCacheFieldsCountsThemAsZero() {
        String org = newOrg("use-anthropic-null", "use-plan");
        JsonNode r = post(event("an-null", org, "use-m", """
                "anthropicUsage": {"input_tokens": 1000, "output_tokens": 2000, "cache_creation_input_tokens": null, "cache_read_input_tokens": null}"""));
        assertOutcome(r.path("events").get(0), "an-null", "accepted", credits(M, 1000, 2000, 0, 0, 0));
    }

    @Test
    void byoKeyAndUnmeteredModelsAreRecordedAtZeroCredits() {
        String org = newOrg("use-free", "use-plan");
        JsonNode r = post(batch(
                event("free-byo", org, "use-m", "\"byoKey\": true, \"tokens\": {\"input\": 1000000, \"output\": 1000000}, \"toolCalls\": 2"),
                event("free-local", org, "use-local", "\"tokens\": {\"input\": 1000000, \"output\": 1000000}"),
                event("free-unpriced", org, "use-preview", "\"tokens\": {\"input\": 1000000, \"output\": 1000000}"),
                event("free-metered", org, "use-m", "\"byoKey\": false, \"tokens\": {\"input\": 1000000}")));
        assertCounts(r, 4, 0, 0);
        assertOutcome(r.path("events").get(0), "free-byo", "accepted", "0.00");
        assertOutcome(r.path("events").get(1), "free-local", "accepted", "0.00");
        assertOutcome(r.path("events").get(2), "free-unpriced", "accepted", "0.00");
        assertOutcome(r.path("events").get(3), "free-metered", "accepted", "3.02");
        assertThat(creditsOf(org)).isEqualTo("996.98");
        JsonNode usage = subscription(server, org).path("usage");
        assertThat(usage.path("creditsUsed").asText()).isEqualTo("3.02");
        assertThat(usage.path("events").asLong()).isEqualTo(4);
        assertThat(usage.path("totalTokensUsed").asLong()).as("unmetered usage is still recorded").isEqualTo(7_000_000);
    }

    @Test
    void eventsArePricedByTheRateVersionInForceAtOccurredAt() {
        String org = newOrg("use-dated", "use-plan");
        server.op("PUT", "/v1/models/use-dated", """
                {"effectiveFrom": "2026-10-01T00:00:00Z", "rates": {"creditInputPer1M": "1000"}}""");
        server.op("PUT", "/v1/models/use-dated", """
                {"effectiveFrom": "2026-11-10T00:00:00Z", "rates": {"creditInputPer1M": "2000"}}""");
        server.op("PUT", "/v1/models/use-dated", """
                {"effectiveFrom": "2026-12-01T00:00:00Z", "rates": {"creditInputPer1M": "3000"}}""");
        JsonNode r = post(batch(
                event("dated-oct", org, "use-dated", "\"occurredAt\": \"2026-10-20T00:00:00Z\", \"tokens\": {\"input\": 1000}"),
                event("dated-before", org, "use-dated", "\"occurredAt\": \"2026-11-09T23:59:59.999999Z\", \"tokens\": {\"input\": 1000}"),
                event("dated-at", org, "use-dated", "\"occurredAt\": \"2026-11-10T00:00:00Z\", \"tokens\": {\"input\": 1000}"),
                event("dated-now", org, "use-dated", "\"tokens\": {\"input\": 1000}")));
        assertOutcome(r.path("events").get(0), "dated-oct", "accepted", "1.00");
        assertOutcome(r.path("events").get(1), "dated-before", "accepted", "1.00");
        assertOutcome(r.path("events").get(2), "dated-at", "accepted", "2.00");
        assertOutcome(r.path("events").get(3), "dated-now", "accepted", "2.00");
        // A later rate change does not reprice what is recorded.
        server.op("PUT", "/v1/models/use-dated", """
                {"effectiveFrom": "2026-10-01T00:00:00Z", "rates": {"creditInputPer1M": "9000"}}""");
        assertOutcome(post(event("dated-oct", org, "use-dated", "\"occurredAt\": \"2026-10-20T00:00:00Z\", \"tokens\": {\"input\": 1000}"))
                .path("events").get(0), "dated-oct", "duplicate", "1.00");
    }

    @Test
    void anAbsurdTokenCountIsRejectedAloneNotTheBatch() {
        String org = newOrg("use-overflow", "use-plan");
        TestServer.Response r = server.post("/v1/usage", OP, batch(
                event("overflow-good", org, "use-m", "\"tokens\": {\"input\": 1000}"),
                event("overflow-bad", org, "use-m", "\"tokens\": {\"input\": 4000000000000000000}")));
        assertStatus(r, 200);
        JsonNode body = r.json();
        assertCounts(body, 1, 0, 1);
        assertOutcome(body.path("events").get(0), "overflow-good", "accepted", credits(M, 1000, 0, 0, 0, 0));
        assertThat(body.path("events").get(1).path("status").asText()).isEqualTo("rejected");
        assertThat(body.path("events").get(1).path("error").path("code").asText()).isNotBlank();
    }

    @Test
    void tokenTotalsThatWouldOverflowAreRejectedNotA500() {
        String org = newOrg("use-token-overflow", "use-plan");
        TestServer.Response r = server.post("/v1/usage", OP, batch(
                event("tok-good", org, "use-m", "\"tokens\": {\"input\": 1000}"),
                event("tok-huge-1", org, "use-preview", "\"tokens\": {\"input\": 5000000000000000000}"),
                event("tok-huge-2", org, "use-preview", "\"tokens\": {\"input\": 5000000000000000000}")));
        assertStatus(r, 200);
        assertOutcome(r.json().path("events").get(0), "tok-good", "accepted", credits(M, 1000, 0, 0, 0, 0));
        assertThat(r.json().path("rejected").asInt()).isPositive();
        assertThat(subscription(server, org).path("usage").path("totalTokensUsed").asLong()).isNotNegative();
    }

    // ---- request-level errors ----

    @Test
    void aBatchOfMoreThanTenThousandEventsIs400AndRecordsNothing() {
        String org = newOrg("use-too-large", "use-plan");
        StringBuilder events = new StringBuilder("{\"events\": [");
        for (int i = 0; i < 10_001; i++) {
            if (i > 0) events.append(',');
            events.append(event("large-" + i, org, "use-cent", ""));
        }
        events.append("]}");
        JsonNode error = assertError(server.post("/v1/usage", OP, events.toString()), 400, "BATCH_TOO_LARGE");
        assertThat(error.path("details").path("batchEventsMax").asInt()).isEqualTo(10_000);
        assertThat(error.path("details").path("events").asInt()).isEqualTo(10_001);
        assertThat(creditsOf(org)).isEqualTo("1000.00");
        assertThat(subscription(server, org).path("usage").path("events").asLong()).isZero();
    }

    @Test
    void aBatchOfExactlyTenThousandEventsIsAccepted() {
        String org = newOrg("use-max-batch", "use-plan");
        StringBuilder events = new StringBuilder("{\"events\": [");
        for (int i = 0; i < 10_000; i++) {
            if (i > 0) events.append(',');
            events.append(event("max-" + i, org, "use-cent", ""));
        }
        events.append("]}");
        JsonNode r = post(events.toString());
        assertCounts(r, 10_000, 0, 0);
        assertOutcome(r.path("events").get(0), "max-0", "accepted", "0.01");
        assertOutcome(r.path("events").get(9_999), "max-9999", "accepted", "0.01");
        assertThat(creditsOf(org)).isEqualTo("900.00");
        JsonNode usage = subscription(server, org).path("usage");
        assertThat(usage.path("events").asLong()).isEqualTo(10_000);
        assertThat(usage.path("creditsUsed").asText()).isEqualTo("100.00");
    }

    @Test
    void badRequestBodiesAre400() {
        assertFieldError(server.post("/v1/usage", OP, "{\"events\": []}"), 400, "VALIDATION_ERROR", "events");
        assertFieldError(server.post("/v1/usage", OP, "{\"events\": {}}"), 400, "VALIDATION_ERROR", "events");
        assertFieldError(server.post("/v1/usage", OP, "{\"events\": null}"), 400, "VALIDATION_ERROR", "events");
        assertFieldError(server.post("/v1/usage", OP, "{\"events\": [{}], \"dryRun\": true}"), 400, "UNKNOWN_FIELD", "dryRun");
        assertError(server.post("/v1/usage", OP, "{\"events\": [{\"id\": \"x\"}"), 400, "MALFORMED_JSON");
        assertError(server.post("/v1/usage", OP, "{'id': 'x'}"), 400, "MALFORMED_JSON");
        assertError(server.post("/v1/usage", OP, ""), 400, "MALFORMED_JSON");
        // Only whitespace: no JSON document at all (reported as not-an-object, which is as precise).
        assertThat(assertErrorStatus(server.post("/v1/usage", OP, "   "), 400)).isIn("MALFORMED_JSON", "VALIDATION_ERROR");
        assertError(server.post("/v1/usage", OP, "[" + event("arr-1", "use-none", "use-m", "") + "]"), 400, "VALIDATION_ERROR");
        assertError(server.post("/v1/usage", OP, "\"event\""), 400, "VALIDATION_ERROR");
    }

    // ---- ledger effects ----

    @Test
    void balanceAndSubscriptionReconcileWithTheChargedCredits() {
        String org = newOrg("use-reconcile", "use-plan");
        String before = creditsOf(org);
        List<String> charged = new ArrayList<>();
        for (JsonNode e : post(batch(
                event("rec-1", org, "use-m", "\"tokens\": {\"input\": 333333, \"output\": 77777, \"cacheRead\": 55555}"),
                event("rec-2", org, "use-m", "\"openaiUsage\": {\"prompt_tokens\": 90000, \"completion_tokens\": 1234, \"prompt_tokens_details\": {\"cached_tokens\": 80000}}"),
                event("rec-3", org, "use-m", "\"anthropicUsage\": {\"input_tokens\": 12, \"output_tokens\": 3456, \"cache_creation_input_tokens\": 7890, \"cache_read_input_tokens\": 123456}"),
                event("rec-4", org, "use-m", "\"toolCalls\": 4, \"occurredAt\": \"2026-11-02T08:00:00Z\""),
                event("rec-5", org, "use-nocache", "\"tokens\": {\"input\": 999999, \"cacheRead\": 1}"))).path("events")) {
            assertThat(e.path("status").asText()).isEqualTo("accepted");
            charged.add(e.path("credits").asText());
        }
        post(event("rec-1", org, "use-m", "")); // a duplicate changes nothing
        String total = sum(charged.toArray(String[]::new));
        assertThat(creditsOf(org)).isEqualTo(minus(before, total));
        JsonNode s = subscription(server, org);
        assertThat(s.path("usage").path("creditsUsed").asText()).isEqualTo(total);
        assertThat(s.path("usage").path("overageCredits").asText()).isEqualTo("0.00");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo(minus(before, total));
    }

    @Test
    void usageBeyondThePlanAndGrantsIsOverage() {
        String org = newOrg("use-overage", "use-small");
        server.op("POST", "/v1/orgs/" + org + "/grants", "{\"credits\": \"5\", \"reason\": \"top-up\"}");
        assertThat(creditsOf(org)).isEqualTo("15.00");
        assertOutcome(post(event("over-1", org, "use-unit", "\"tokens\": {\"input\": 8}")).path("events").get(0), "over-1", "accepted", "8.00");
        JsonNode s1 = subscription(server, org).path("usage");
        assertThat(s1.path("overageCredits").asText()).isEqualTo("0.00");
        assertThat(creditsOf(org)).isEqualTo("7.00");

        // 2 from the plan, 5 from the grant, 5 uncovered; the event is still charged in full.
        assertOutcome(post(event("over-2", org, "use-unit", "\"tokens\": {\"input\": 12}")).path("events").get(0), "over-2", "accepted", "12.00");
        JsonNode s = subscription(server, org);
        assertThat(s.path("usage").path("creditsUsed").asText()).isEqualTo("20.00");
        assertThat(s.path("usage").path("creditsLimit").asText()).isEqualTo("10.00");
        assertThat(dec(s.path("usage").path("percentUsed"))).isEqualByComparingTo("200");
        assertThat(s.path("usage").path("overageCredits").asText()).isEqualTo("5.00");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo("0.00");
        assertThat(s.path("balance").path("grants").get(0).path("remaining").asText()).isEqualTo("0.00");

        // More usage adds to the overage; a duplicate does not.
        post(event("over-3", org, "use-unit", "\"tokens\": {\"input\": 1}"));
        post(event("over-2", org, "use-unit", "\"tokens\": {\"input\": 12}"));
        assertThat(subscription(server, org).path("usage").path("overageCredits").asText()).isEqualTo("6.00");
    }
}
