package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.balance;
import static creditline.api.http.ApiTestSupport.dec;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.model;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.spend;
import static creditline.api.http.ApiTestSupport.subscription;
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Orgs, grants, balances, subscriptions and plan changes. */
class OrgApiTest {
    private static final String NOW = TestServer.START.toString();
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "org-small", "100", "block");
        plan(server, "org-big", "2000", "allow");
        plan(server, "org-tiny", "20", "block");
        server.op("PUT", "/v1/plans/org-zero", "{\"name\": \"Zero\", \"creditsIncluded\": \"0\"}");
        unitModel(server, "org-unit");
        model(server, "org-tokens", "3", "15", "3.75", "0.30");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void resetClock() {
        server.clock.set(TestServer.START);
    }

    private static JsonNode grantById(JsonNode balance, String id) {
        for (JsonNode g : balance.path("grants")) if (g.path("id").asText().equals(id)) return g;
        throw new AssertionError("no grant " + id + " in " + balance);
    }

    // ---- create and read ----

    @Test
    void createOrgIs201AndReadable() {
        TestServer.Response r = server.post("/v1/orgs", OP, """
                {"id": "org-create", "name": "Acme Corp", "planId": "org-small"}""");
        assertStatus(r, 201);
        JsonNode org = r.json();
        assertThat(org.path("id").asText()).isEqualTo("org-create");
        assertThat(org.path("name").asText()).isEqualTo("Acme Corp");
        assertThat(org.path("planId").asText()).isEqualTo("org-small");
        assertThat(org.path("status").asText()).isEqualTo("active");
        assertThat(org.path("createdAt").asText()).isEqualTo(NOW);
        assertThat(server.op("GET", "/v1/orgs/org-create", null)).isEqualTo(org);
    }

    @Test
    void nameDefaultsToTheId() {
        JsonNode org = server.op("POST", "/v1/orgs", "{\"id\": \"org-noname\", \"planId\": \"org-small\"}");
        assertThat(org.path("name").asText()).isEqualTo("org-noname");
    }

    @Test
    void duplicateOrgIs409AndLeavesTheFirstUnchanged() {
        org(server, "org-dup", "org-small");
        assertError(server.post("/v1/orgs", OP, """
                {"id": "org-dup", "name": "Other", "planId": "org-big"}"""), 409, "ORG_EXISTS");
        JsonNode org = server.op("GET", "/v1/orgs/org-dup", null);
        assertThat(org.path("name").asText()).isEqualTo("Org org-dup");
        assertThat(org.path("planId").asText()).isEqualTo("org-small");
        assertThat(balance(server, "org-dup").path("credits").asText()).isEqualTo("100.00");
    }

    @Test
    void unknownPlanIs404AndCreatesNothing() {
        assertError(server.post("/v1/orgs", OP, """
                {"id": "org-noplan", "planId": "org-nonexistent"}"""), 404, "PLAN_NOT_FOUND");
        assertError(server.get("/v1/orgs/org-noplan", OP), 404, "ORG_NOT_FOUND");
    }

    @Test
    void badCreateBodiesAre400() {
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": \"org-x\"}"), 400, "MISSING_FIELD", "planId");
        assertFieldError(server.post("/v1/orgs", OP, "{\"planId\": \"org-small\"}"), 400, "MISSING_FIELD", "id");
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": \"\", \"planId\": \"org-small\"}"), 400, "MISSING_FIELD", "id");
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": \"has space\", \"planId\": \"org-small\"}"), 400, "VALIDATION_ERROR", "id");
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": 42, \"planId\": \"org-small\"}"), 400, "VALIDATION_ERROR", "id");
        assertFieldError(server.post("/v1/orgs", OP, "{\"id\": \"org-x\", \"planId\": \"org-small\", \"plan\": \"pro\"}"),
                400, "UNKNOWN_FIELD", "plan");
        assertError(server.post("/v1/orgs", OP, "{\"id\": \"org-x\","), 400, "MALFORMED_JSON");
        assertError(server.post("/v1/orgs", OP, ""), 400, "MALFORMED_JSON");
        assertError(server.post("/v1/orgs", OP, "[{\"id\": \"org-x\", \"planId\": \"org-small\"}]"), 400, "VALIDATION_ERROR");
        assertError(server.get("/v1/orgs/org-x", OP), 404, "ORG_NOT_FOUND");
    }

    @Test
    void unknownOrgIs404ForTheOperator() {
        for (String suffix : List.of("", "/balance", "/subscription", "/subscription/changes", "/members")) {
            assertError(server.get("/v1/orgs/org-ghost" + suffix, OP), 404, "ORG_NOT_FOUND");
        }
        assertError(server.put("/v1/orgs/org-ghost/subscription", OP, "{\"planId\": \"org-small\"}"), 404, "ORG_NOT_FOUND");
        assertError(server.post("/v1/orgs/org-ghost/grants", OP, "{\"credits\": \"5\"}"), 404, "ORG_NOT_FOUND");
        assertError(server.post("/v1/orgs/org-ghost/keys", OP, "{\"role\": \"admin\"}"), 404, "ORG_NOT_FOUND");
    }

    // ---- balance and grants ----

    @Test
    void balanceAfterCreationIsThePlanCredits() {
        org(server, "org-fresh", "org-small");
        JsonNode b = balance(server, "org-fresh");
        assertThat(b.path("credits").asText()).isEqualTo("100.00");
        assertThat(b.path("reserved").asText()).isEqualTo("0.00");
        assertThat(b.path("available").asText()).isEqualTo("100.00");
        assertThat(b.path("grants")).isEmpty();
    }

    @Test
    void grantsWithAndWithoutExpiryAreAddedToTheBalance() {
        org(server, "org-grants", "org-small");
        TestServer.Response r = server.post("/v1/orgs/org-grants/grants", OP, """
                {"credits": "500", "reason": "top-up"}""");
        assertStatus(r, 201);
        JsonNode open = r.json();
        assertThat(open.path("id").asText()).isNotBlank();
        assertThat(open.path("credits").asText()).isEqualTo("500.00");
        assertThat(open.path("remaining").asText()).isEqualTo("500.00");
        assertThat(open.path("expiresAt").isNull()).isTrue();
        assertThat(open.path("reason").asText()).isEqualTo("top-up");

        TestServer.Response r2 = server.post("/v1/orgs/org-grants/grants", OP, """
                {"credits": 50.125, "expiresAt": "2026-11-20T00:00:00Z", "reason": "launch promotion"}""");
        assertStatus(r2, 201);
        JsonNode expiring = r2.json();
        assertThat(expiring.path("credits").asText()).isEqualTo("50.125");
        assertThat(expiring.path("expiresAt").asText()).isEqualTo("2026-11-20T00:00:00Z");
        assertThat(expiring.path("id").asText()).isNotEqualTo(open.path("id").asText());

        JsonNode b = balance(server, "org-grants");
        assertThat(b.path("credits").asText()).isEqualTo("650.125");
        assertThat(b.path("available").asText()).isEqualTo("650.125");
        assertThat(b.path("grants")).hasSize(2);
        JsonNode listed = grantById(b, expiring.path("id").asText());
        assertThat(listed.path("credits").asText()).isEqualTo("50.125");
        assertThat(listed.path("remaining").asText()).isEqualTo("50.125");
        assertThat(listed.path("expiresAt").asText()).isEqualTo("2026-11-20T00:00:00Z");
        assertThat(listed.path("reason").asText()).isEqualTo("launch promotion");
        assertThat(grantById(b, open.path("id").asText()).path("remaining").asText()).isEqualTo("500.00");

        // A write answers its times as every read does: to the microsecond the ledger keeps.
        server.clock.set(TestServer.START.plusNanos(123_456_789));
        JsonNode precise = server.post("/v1/orgs/org-grants/grants", OP, """
                {"credits": "1", "expiresAt": "2026-11-19T00:00:00.0000005Z"}""").json();
        assertThat(precise.path("createdAt").asText()).isEqualTo("2026-11-15T12:00:00.123456Z");
        assertThat(precise.path("expiresAt").asText()).isEqualTo("2026-11-19T00:00:00Z");
        JsonNode read = grantById(balance(server, "org-grants"), precise.path("id").asText());
        assertThat(read.path("createdAt").asText()).isEqualTo(precise.path("createdAt").asText());
        assertThat(read.path("expiresAt").asText()).isEqualTo(precise.path("expiresAt").asText());

        // Once expired, a grant no longer counts.
        server.clock.set(Instant.parse("2026-11-20T00:00:00Z"));
        assertThat(balance(server, "org-grants").path("credits").asText()).isEqualTo("600.00");
    }

    @Test
    void grantsExpiringFirstAreSpentFirst() {
        org(server, "org-order", "org-small");
        member(server, "org-order", "dev@order.example", "member");
        String early = server.op("POST", "/v1/orgs/org-order/grants", """
                {"credits": "50", "expiresAt": "2026-11-20T00:00:00Z", "reason": "early"}""").path("id").asText();
        String never = server.op("POST", "/v1/orgs/org-order/grants", """
                {"credits": "50", "reason": "never expires"}""").path("id").asText();
        spend(server, "order-1", "org-order", "dev@order.example", "org-unit", 60);

        JsonNode b = balance(server, "org-order");
        assertThat(b.path("credits").asText()).isEqualTo("140.00");
        assertThat(grantById(b, early).path("remaining").asText()).as("expires before the plan allotment").isEqualTo("0.00");
        assertThat(grantById(b, never).path("remaining").asText()).as("spent last").isEqualTo("50.00");
    }

    @Test
    void badGrantsAre400() {
        org(server, "org-badgrant", "org-small");
        String path = "/v1/orgs/org-badgrant/grants";
        assertFieldError(server.post(path, OP, "{\"credits\": \"10\", \"expiresAt\": \"2026-11-15T11:59:59Z\"}"), 400, "VALIDATION_ERROR", "expiresAt");
        assertFieldError(server.post(path, OP, "{\"credits\": \"10\", \"expiresAt\": \"" + NOW + "\"}"), 400, "VALIDATION_ERROR", "expiresAt");
        assertFieldError(server.post(path, OP, "{\"credits\": \"10\", \"expiresAt\": \"soon\"}"), 400, "VALIDATION_ERROR", "expiresAt");
        assertFieldError(server.post(path, OP, "{\"credits\": \"0\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.post(path, OP, "{\"credits\": \"-5\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.post(path, OP, "{\"reason\": \"nothing\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.post(path, OP, "{\"credits\": \"1.0000001\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.post(path, OP, "{\"credits\": \"ten\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.post(path, OP, "{\"credits\": \"10\", \"reason\": \"" + "r".repeat(501) + "\"}"), 400, "VALIDATION_ERROR", "reason");
        assertFieldError(server.post(path, OP, "{\"credits\": \"10\", \"note\": \"x\"}"), 400, "UNKNOWN_FIELD", "note");
        assertError(server.post(path, OP, "{\"credits\": "), 400, "MALFORMED_JSON");
        JsonNode b = balance(server, "org-badgrant");
        assertThat(b.path("credits").asText()).isEqualTo("100.00");
        assertThat(b.path("grants")).isEmpty();
    }

    // ---- subscription ----

    @Test
    void subscriptionOfAFreshOrg() {
        org(server, "org-sub-fresh", "org-small");
        JsonNode s = subscription(server, "org-sub-fresh");
        assertThat(s.path("plan").asText()).isEqualTo("org-small");
        assertThat(s.path("status").asText()).isEqualTo("active");
        assertThat(s.path("periodStart").asText()).isEqualTo("2026-11-01");
        assertThat(s.path("periodEnd").asText()).isEqualTo("2026-12-01");
        JsonNode u = s.path("usage");
        assertThat(u.path("creditsUsed").asText()).isEqualTo("0.00");
        assertThat(u.path("creditsLimit").asText()).isEqualTo("100.00");
        assertThat(dec(u.path("percentUsed"))).isEqualByComparingTo(BigDecimal.ZERO);
        assertThat(u.path("totalTokensUsed").asLong()).isZero();
        assertThat(u.path("tokens").path("input").asLong()).isZero();
        assertThat(u.path("tokens").path("output").asLong()).isZero();
        assertThat(u.path("tokens").path("cacheWrite").asLong()).isZero();
        assertThat(u.path("tokens").path("cacheRead").asLong()).isZero();
        assertThat(u.path("overageCredits").asText()).isEqualTo("0.00");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo("100.00");
    }

    @Test
    void subscriptionNumbersAfterUsage() {
        org(server, "org-sub", "org-small");
        member(server, "org-sub", "dev@sub.example", "member");
        // 1e6*3 + 2e5*15 + 1e5*3.75 + 5e5*0.30 per 1M = 3 + 3 + 0.375 + 0.15 = 6.525 -> 6.53
        // 123457*3 + 9999*15 per 1M = 0.370371 + 0.149985 = 0.520356 -> 0.52
        JsonNode r = server.op("POST", "/v1/usage", """
                {"events": [
                  {"id": "sub-1", "orgId": "org-sub", "memberId": "dev@sub.example", "model": "org-tokens", "activity": "chat",
                   "tokens": {"input": 1000000, "output": 200000, "cacheWrite": 100000, "cacheRead": 500000}},
                  {"id": "sub-2", "orgId": "org-sub", "memberId": "dev@sub.example", "model": "org-tokens", "activity": "agent",
                   "tokens": {"input": 123457, "output": 9999}}]}""");
        assertThat(r.path("events").get(0).path("credits").asText()).isEqualTo("6.53");
        assertThat(r.path("events").get(1).path("credits").asText()).isEqualTo("0.52");

        JsonNode s = subscription(server, "org-sub");
        JsonNode u = s.path("usage");
        assertThat(u.path("creditsUsed").asText()).isEqualTo("7.05");
        assertThat(u.path("creditsLimit").asText()).isEqualTo("100.00");
        assertThat(dec(u.path("percentUsed"))).isEqualByComparingTo("7.05");
        assertThat(u.path("totalTokensUsed").asLong()).isEqualTo(1_933_456L);
        assertThat(u.path("tokens").path("input").asLong()).isEqualTo(1_123_457L);
        assertThat(u.path("tokens").path("output").asLong()).isEqualTo(209_999L);
        assertThat(u.path("tokens").path("cacheWrite").asLong()).isEqualTo(100_000L);
        assertThat(u.path("tokens").path("cacheRead").asLong()).isEqualTo(500_000L);
        assertThat(u.path("overageCredits").asText()).isEqualTo("0.00");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo("92.95");
        assertThat(balance(server, "org-sub").path("credits").asText()).isEqualTo("92.95");
    }

    @Test
    void percentUsedIsRoundedHalfUpAndNullWithoutALimit() {
        org(server, "org-pct", "org-small");
        member(server, "org-pct", "dev@pct.example", "member");
        server.op("PUT", "/v1/models/org-pct-model", """
                {"effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditPerRequest": "0.005"}}""");
        // 0.005 per request is charged 0.01 (half-up); 0.01 of 100 is 0.01 %.
        server.op("POST", "/v1/usage", """
                {"id": "pct-1", "orgId": "org-pct", "memberId": "dev@pct.example", "model": "org-pct-model", "activity": "chat"}""");
        JsonNode u = subscription(server, "org-pct").path("usage");
        assertThat(u.path("creditsUsed").asText()).isEqualTo("0.01");
        assertThat(dec(u.path("percentUsed"))).isEqualByComparingTo("0.01");

        org(server, "org-pct-zero", "org-zero");
        JsonNode z = subscription(server, "org-pct-zero").path("usage");
        assertThat(z.path("creditsLimit").asText()).isEqualTo("0.00");
        assertThat(z.path("percentUsed").isNull()).isTrue();
    }

    @Test
    void aNewMonthStartsWithAFreshAllotment() {
        org(server, "org-month", "org-small");
        member(server, "org-month", "dev@month.example", "member");
        server.op("POST", "/v1/orgs/org-month/grants", "{\"credits\": \"50\", \"reason\": \"no expiry\"}");
        spend(server, "month-1", "org-month", "dev@month.example", "org-unit", 30);
        assertThat(balance(server, "org-month").path("credits").asText()).isEqualTo("120.00");

        server.clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        JsonNode s = subscription(server, "org-month");
        assertThat(s.path("periodStart").asText()).isEqualTo("2026-12-01");
        assertThat(s.path("periodEnd").asText()).isEqualTo("2027-01-01");
        assertThat(s.path("usage").path("creditsUsed").asText()).isEqualTo("0.00");
        assertThat(s.path("usage").path("events").asLong()).isZero();
        assertThat(s.path("balance").path("credits").asText()).as("December's 100 plus the grant").isEqualTo("150.00");

        // A late November event draws November's allotment, not December's.
        server.op("POST", "/v1/usage", """
                {"id": "month-late", "orgId": "org-month", "memberId": "dev@month.example", "model": "org-unit", "activity": "chat",
                 "occurredAt": "2026-11-30T23:00:00Z", "tokens": {"input": 20}}""");
        assertThat(balance(server, "org-month").path("credits").asText()).isEqualTo("150.00");
        assertThat(subscription(server, "org-month").path("usage").path("creditsUsed").asText()).isEqualTo("0.00");

        spend(server, "month-2", "org-month", "dev@month.example", "org-unit", 10);
        assertThat(balance(server, "org-month").path("credits").asText()).isEqualTo("140.00");
        assertThat(subscription(server, "org-month").path("usage").path("creditsUsed").asText()).isEqualTo("10.00");
    }

    @Test
    void editingAPlanKeepsSubscriptionLimitAndBalanceConsistent() {
        plan(server, "org-editable", "100", "block");
        org(server, "org-on-edited", "org-editable");
        plan(server, "org-editable", "200", "block");
        JsonNode s = subscription(server, "org-on-edited");
        // No usage, no grants: whatever this month's allotment is, the limit shown and the balance must agree.
        assertThat(s.path("usage").path("creditsUsed").asText()).isEqualTo("0.00");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo(s.path("usage").path("creditsLimit").asText());
    }

    // ---- plan changes ----

    @Test
    void planChangeTakesEffectAtOnceAndIsRecorded() {
        org(server, "org-change", "org-small");
        member(server, "org-change", "dev@change.example", "member");
        spend(server, "change-1", "org-change", "dev@change.example", "org-unit", 30);
        assertThat(balance(server, "org-change").path("credits").asText()).isEqualTo("70.00");

        server.clock.advance(Duration.ofMinutes(1));
        TestServer.Response up = server.put("/v1/orgs/org-change/subscription", OP, "{\"planId\": \"org-big\"}");
        assertStatus(up, 200);
        JsonNode s = up.json();
        assertThat(s.path("plan").asText()).isEqualTo("org-big");
        assertThat(s.path("overage").asText()).isEqualTo("allow");
        assertThat(s.path("usage").path("creditsLimit").asText()).isEqualTo("2000.00");
        assertThat(s.path("usage").path("creditsUsed").asText()).as("consumed credits stay consumed").isEqualTo("30.00");
        assertThat(dec(s.path("usage").path("percentUsed"))).isEqualByComparingTo("1.50");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo("1970.00");
        assertThat(balance(server, "org-change").path("credits").asText()).isEqualTo("1970.00");
        assertThat(server.op("GET", "/v1/orgs/org-change", null).path("planId").asText()).isEqualTo("org-big");
        assertThat(subscription(server, "org-change")).isEqualTo(s);

        server.clock.advance(Duration.ofMinutes(1));
        JsonNode down = server.op("PUT", "/v1/orgs/org-change/subscription", "{\"planId\": \"org-small\"}");
        assertThat(down.path("balance").path("credits").asText()).isEqualTo("70.00");

        JsonNode changes = server.op("GET", "/v1/orgs/org-change/subscription/changes", null).path("changes");
        assertThat(changes).hasSize(3);
        assertThat(changes.get(0).path("fromPlanId").isNull()).isTrue();
        assertThat(changes.get(0).path("toPlanId").asText()).isEqualTo("org-small");
        assertThat(changes.get(0).path("changedAt").asText()).isEqualTo(NOW);
        assertThat(changes.get(1).path("fromPlanId").asText()).isEqualTo("org-small");
        assertThat(changes.get(1).path("toPlanId").asText()).isEqualTo("org-big");
        assertThat(changes.get(1).path("changedAt").asText()).isEqualTo("2026-11-15T12:01:00Z");
        assertThat(changes.get(2).path("fromPlanId").asText()).isEqualTo("org-big");
        assertThat(changes.get(2).path("toPlanId").asText()).isEqualTo("org-small");
        assertThat(changes.get(2).path("changedAt").asText()).isEqualTo("2026-11-15T12:02:00Z");
    }

    @Test
    void downgradeBelowWhatWasUsedLeavesNothingNotANegativeBalance() {
        org(server, "org-down", "org-small");
        member(server, "org-down", "dev@down.example", "member");
        spend(server, "down-1", "org-down", "dev@down.example", "org-unit", 30);
        JsonNode s = server.op("PUT", "/v1/orgs/org-down/subscription", "{\"planId\": \"org-tiny\"}");
        assertThat(s.path("usage").path("creditsLimit").asText()).isEqualTo("20.00");
        assertThat(s.path("usage").path("creditsUsed").asText()).isEqualTo("30.00");
        assertThat(dec(s.path("usage").path("percentUsed"))).isEqualByComparingTo("150");
        assertThat(s.path("balance").path("credits").asText()).isEqualTo("0.00");
    }

    @Test
    void planChangesAtTheSameInstantKeepTheirOrder() {
        org(server, "org-same-instant", "org-small");
        server.op("PUT", "/v1/orgs/org-same-instant/subscription", "{\"planId\": \"org-big\"}");
        server.op("PUT", "/v1/orgs/org-same-instant/subscription", "{\"planId\": \"org-tiny\"}");
        server.op("PUT", "/v1/orgs/org-same-instant/subscription", "{\"planId\": \"org-small\"}");
        List<String> seen = new ArrayList<>();
        for (JsonNode c : server.op("GET", "/v1/orgs/org-same-instant/subscription/changes", null).path("changes")) {
            seen.add(c.path("fromPlanId").asText("-") + ">" + c.path("toPlanId").asText());
        }
        assertThat(seen).containsExactly("->org-small", "org-small>org-big", "org-big>org-tiny", "org-tiny>org-small");
    }

    @Test
    void badPlanChangesAre4xxAndChangeNothing() {
        org(server, "org-badchange", "org-small");
        assertError(server.put("/v1/orgs/org-badchange/subscription", OP, "{\"planId\": \"org-nonexistent\"}"), 404, "PLAN_NOT_FOUND");
        assertFieldError(server.put("/v1/orgs/org-badchange/subscription", OP, "{}"), 400, "MISSING_FIELD", "planId");
        assertFieldError(server.put("/v1/orgs/org-badchange/subscription", OP, "{\"planId\": \"org-big\", \"when\": \"now\"}"),
                400, "UNKNOWN_FIELD", "when");
        assertError(server.put("/v1/orgs/org-badchange/subscription", OP, "planId=org-big"), 400, "MALFORMED_JSON");
        assertThat(subscription(server, "org-badchange").path("plan").asText()).isEqualTo("org-small");
        assertThat(server.op("GET", "/v1/orgs/org-badchange/subscription/changes", null).path("changes")).hasSize(1);
    }
}
