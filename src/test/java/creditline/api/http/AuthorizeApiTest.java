package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.balance;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/authorize} and reservations over HTTP: every reason code, the response shape
 * with exact amounts, holds at every level, settlement by usage, release and expiry.
 */
class AuthorizeApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "az-allow", "1000", "allow");
        plan(server, "az-block", "10", "block");
        server.op("PUT", "/v1/plans/az-tokens", """
                {"name": "Tokens", "creditsIncluded": "1000", "tokensIncluded": 100, "overage": "block"}""");
        // One input token costs one credit.
        unitModel(server, "az-unit");
        // One input token costs a hundredth of a credit: 1234 tokens = 12.34 credits.
        server.op("PUT", "/v1/models/az-cent", """
                {"name": "Cent", "effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "10000", "creditOutputPer1M": "10000"}}""");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void resetClock() {
        server.clock.set(TestServer.START);
    }

    /** A new org with members {@code dev@<org>} and {@code ana@<org>}. */
    private static String newOrg(String orgId, String planId) {
        org(server, orgId, planId);
        member(server, orgId, dev(orgId), "member");
        member(server, orgId, ana(orgId), "member");
        return orgId;
    }

    private static String dev(String orgId) {
        return "dev@" + orgId + ".example";
    }

    private static String ana(String orgId) {
        return "ana@" + orgId + ".example";
    }

    private static void budgets(String orgId, String body) {
        server.op("PUT", "/v1/orgs/" + orgId + "/budgets", body);
    }

    private static TestServer.Response authorizeRaw(String body) {
        return server.post("/v1/authorize", OP, body);
    }

    /** Authorize without reservation; 200 expected. */
    private static JsonNode authorize(String orgId, String memberId, String model, String activity, String estimate) {
        TestServer.Response r = authorizeRaw("""
                {"orgId": "%s", "memberId": "%s", "model": "%s", "activity": "%s"%s}"""
                .formatted(orgId, memberId, model, activity, estimate == null ? "" : ", \"estimatedCredits\": \"" + estimate + "\""));
        assertStatus(r, 200);
        return r.json();
    }

    private static JsonNode authorize(String orgId, String memberId) {
        return authorize(orgId, memberId, "az-unit", "chat", null);
    }

    private static JsonNode reserve(String orgId, String memberId, String estimate) {
        TestServer.Response r = authorizeRaw("""
                {"orgId": "%s", "memberId": "%s", "model": "az-unit", "activity": "chat", "estimatedCredits": "%s", "reserve": true}"""
                .formatted(orgId, memberId, estimate));
        assertStatus(r, 200);
        return r.json();
    }

    /** Records {@code credits} whole credits of usage on the unit model. */
    private static JsonNode spend(String eventId, String orgId, String memberId, long credits, String reservationId) {
        TestServer.Response r = server.post("/v1/usage", OP, """
                {"id": "%s", "orgId": "%s", "memberId": "%s", "model": "az-unit", "activity": "chat", "tokens": {"input": %d}%s}"""
                .formatted(eventId, orgId, memberId, credits, reservationId == null ? "" : ", \"reservationId\": \"" + reservationId + "\""));
        assertStatus(r, 200);
        return r.json().path("events").get(0);
    }

    private static JsonNode spend(String eventId, String orgId, String memberId, long credits) {
        JsonNode e = spend(eventId, orgId, memberId, credits, null);
        assertThat(e.path("status").asText()).as("outcome %s", e).isEqualTo("accepted");
        return e;
    }

    private static void assertAllowed(JsonNode d) {
        assertThat(d.path("allowed").asBoolean()).as("allowed in %s", d).isTrue();
        assertThat(d.path("reason").asText()).as("reason in %s", d).isEqualTo("OK");
    }

    private static void assertDenied(JsonNode d, String reason) {
        assertThat(d.path("allowed").isBoolean()).isTrue();
        assertThat(d.path("allowed").booleanValue()).as("allowed in %s", d).isFalse();
        assertThat(d.path("reason").asText()).as("reason in %s", d).isEqualTo(reason);
        assertThat(d.path("message").asText()).as("message in %s", d).isNotBlank();
        assertThat(d.has("reservationId")).as("no reservation when denied: %s", d).isFalse();
        assertThat(d.has("expiresAt")).as("no expiry when denied: %s", d).isFalse();
    }

    /** Asserts the three remaining amounts; null means unlimited (JSON null). */
    private static void assertRemaining(JsonNode d, String orgBudget, String memberBudget, String balance) {
        JsonNode r = d.path("remaining");
        assertThat(r.size()).as("remaining %s", r).isEqualTo(3);
        assertAmount(r, "orgBudget", orgBudget);
        assertAmount(r, "memberBudget", memberBudget);
        assertAmount(r, "balance", balance);
    }

    private static void assertAmount(JsonNode parent, String field, String expected) {
        assertThat(parent.has(field)).as("%s in %s", field, parent).isTrue();
        if (expected == null) assertThat(parent.path(field).isNull()).as("%s unlimited in %s", field, parent).isTrue();
        else assertThat(parent.path(field).asText()).as("%s in %s", field, parent).isEqualTo(expected);
    }

    private static JsonNode reservation(String id) {
        TestServer.Response r = server.get("/v1/reservations/" + id, OP);
        assertStatus(r, 200);
        return r.json();
    }

    // ---- OK and the response shape ----

    @Test
    void suspendedOrgsAreRefusedUntilReactivated() {
        String org = newOrg("az-suspended", "az-allow");
        JsonNode suspended = server.op("PUT", "/v1/orgs/" + org + "/status", "{\"status\": \"suspended\"}");
        assertThat(suspended.path("status").asText()).isEqualTo("suspended");
        assertDenied(authorize(org, dev(org)), "ORG_SUSPENDED");
        assertThat(server.put("/v1/orgs/" + org + "/status", OP, "{\"status\": \"frozen\"}").status()).isEqualTo(400);
        server.op("PUT", "/v1/orgs/" + org + "/status", "{\"status\": \"active\"}");
        assertAllowed(authorize(org, dev(org)));
    }

    @Test
    void okHasTheFullShapeWithUnlimitedBudgetsAsNull() {
        String org = newOrg("az-ok", "az-allow");
        JsonNode d = authorize(org, dev(org));
        List<String> fields = new ArrayList<>();
        d.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("allowed", "reason", "message", "remaining");
        assertThat(d.path("allowed").isBoolean()).isTrue();
        assertAllowed(d);
        assertThat(d.path("message").asText()).isNotBlank();
        assertRemaining(d, null, null, "1000.00");
    }

    @Test
    void remainingAmountsAreExactDecimalStrings() {
        String org = newOrg("az-exact", "az-allow");
        budgets(org, """
                {"org": {"credits": "100.5", "enforce": true}, "defaultMember": {"credits": "30", "enforce": true}}""");
        TestServer.Response u = server.post("/v1/usage", OP, """
                {"id": "az-exact-1", "orgId": "%s", "memberId": "%s", "model": "az-cent", "activity": "chat", "tokens": {"input": 1234}}"""
                .formatted(org, dev(org)));
        assertThat(u.json().path("events").get(0).path("credits").asText()).isEqualTo("12.34");
        JsonNode d = authorize(org, dev(org), "az-cent", "chat", "17.66");
        assertAllowed(d);
        assertThat(d.path("remaining").path("orgBudget").isTextual()).isTrue();
        assertRemaining(d, "88.16", "17.66", "987.66");
        // Another member has the whole member budget but shares the org's.
        assertRemaining(authorize(org, ana(org)), "88.16", "30.00", "987.66");
        // One hundredth more than what remains does not fit.
        assertDenied(authorize(org, dev(org), "az-cent", "chat", "17.67"), "MEMBER_BUDGET_EXHAUSTED");
    }

    @Test
    void stateIsExactTheMomentUsageIsAcknowledged() {
        String org = newOrg("az-now", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"5\", \"enforce\": true}}");
        for (int i = 1; i <= 5; i++) {
            assertAllowed(authorize(org, dev(org)));
            spend("az-now-" + i, org, dev(org), 1);
            JsonNode d = authorize(org, dev(org));
            if (i < 5) assertAllowed(d);
            else assertDenied(d, "MEMBER_BUDGET_EXHAUSTED");
            assertRemaining(d, null, (5 - i) + ".00", (1000 - i) + ".00");
        }
    }

    // ---- budgets ----

    @Test
    void orgBudgetExhaustedBlocksEveryMember() {
        String org = newOrg("az-orgbud", "az-allow");
        budgets(org, "{\"org\": {\"credits\": \"20\", \"enforce\": true}}");
        spend("az-orgbud-1", org, dev(org), 15);
        // 5 remain: an estimate of 5 fits, 6 does not.
        assertAllowed(authorize(org, ana(org), "az-unit", "chat", "5"));
        JsonNode over = authorize(org, ana(org), "az-unit", "chat", "6");
        assertDenied(over, "ORG_BUDGET_EXHAUSTED");
        assertRemaining(over, "5.00", null, "985.00");
        spend("az-orgbud-2", org, dev(org), 5);
        for (String m : List.of(dev(org), ana(org))) {
            JsonNode d = authorize(org, m);
            assertDenied(d, "ORG_BUDGET_EXHAUSTED");
            assertThat(d.path("message").asText()).containsIgnoringCase("administrator");
            assertRemaining(d, "0.00", null, "980.00");
        }
    }

    @Test
    void memberBudgetExhaustedBlocksOnlyThatMemberAndTellsThemToContactTheAdministrator() {
        String org = newOrg("az-membud", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        spend("az-membud-1", org, dev(org), 10);
        JsonNode d = authorize(org, dev(org));
        assertDenied(d, "MEMBER_BUDGET_EXHAUSTED");
        assertThat(d.path("message").asText()).containsIgnoringCase("contact your administrator");
        assertRemaining(d, null, "0.00", "990.00");
        JsonNode other = authorize(org, ana(org));
        assertAllowed(other);
        assertRemaining(other, null, "10.00", "990.00");
    }

    @Test
    void aMemberIsBlockedByTheOrgBudgetEvenWithAnUnlimitedOverride() {
        String org = newOrg("az-either", "az-allow");
        budgets(org, """
                {"org": {"credits": "10", "enforce": true}, "defaultMember": {"credits": "100", "enforce": true}}""");
        server.op("PUT", "/v1/orgs/" + org + "/budgets/members/" + enc(dev(org)), "{\"credits\": null}");
        spend("az-either-1", org, ana(org), 10);
        JsonNode d = authorize(org, dev(org));
        assertDenied(d, "ORG_BUDGET_EXHAUSTED");
        assertRemaining(d, "0.00", null, "990.00");
        JsonNode a = authorize(org, ana(org));
        assertThat(a.path("allowed").asBoolean()).isFalse();
        assertRemaining(a, "0.00", "90.00", "990.00");
    }

    @Test
    void trackOnlyBudgetsNeverBlock() {
        String org = newOrg("az-track", "az-allow");
        budgets(org, """
                {"org": {"credits": "5", "enforce": false, "notifyAdmin": true},
                 "defaultMember": {"credits": "5", "enforce": false, "notifyUser": true}}""");
        spend("az-track-1", org, dev(org), 50);
        JsonNode d = authorize(org, dev(org), "az-unit", "chat", "100");
        assertAllowed(d);
        assertRemaining(d, "-45.00", "-45.00", "950.00");
        // Reservations are not limited by track-only budgets either.
        assertAllowed(reserve(org, dev(org), "100"));
    }

    // ---- plan ----

    @Test
    void hardLimitPlanBlocksWhenCreditsRunOut() {
        String org = newOrg("az-credits", "az-block");
        spend("az-credits-1", org, dev(org), 4);
        assertAllowed(authorize(org, dev(org), "az-unit", "chat", "6"));
        JsonNode below = authorize(org, dev(org), "az-unit", "chat", "7");
        assertDenied(below, "CREDITS_EXHAUSTED");
        assertRemaining(below, null, null, "6.00");
        assertThat(below.path("message").asText()).contains("6.00").contains("7.00");

        spend("az-credits-2", org, dev(org), 6);
        JsonNode zero = authorize(org, dev(org));
        assertDenied(zero, "CREDITS_EXHAUSTED");
        assertRemaining(zero, null, null, "0.00");

        // A grant lifts the block.
        server.op("POST", "/v1/orgs/" + org + "/grants", "{\"credits\": \"3\", \"reason\": \"top-up\"}");
        JsonNode topped = authorize(org, dev(org));
        assertAllowed(topped);
        assertRemaining(topped, null, null, "3.00");
    }

    @Test
    void overagePlansContinueAtZero() {
        String org = newOrg("az-overage", "az-allow");
        spend("az-overage-1", org, dev(org), 1000);
        JsonNode d = authorize(org, dev(org), "az-unit", "chat", "50");
        assertAllowed(d);
        assertThat(d.path("remaining").path("balance").asText()).isEqualTo("0.00");
        spend("az-overage-2", org, dev(org), 25);
        assertAllowed(authorize(org, dev(org)));
    }

    @Test
    void hardLimitPlanBlocksAtItsTokenLimit() {
        String org = newOrg("az-tokens", "az-tokens");
        TestServer.Response u = server.post("/v1/usage", OP, """
                {"id": "az-tokens-1", "orgId": "%s", "memberId": "%s", "model": "az-cent", "activity": "chat", "tokens": {"input": 60, "output": 39}}"""
                .formatted(org, dev(org)));
        assertStatus(u, 200);
        assertAllowed(authorize(org, dev(org)));
        server.post("/v1/usage", OP, """
                {"id": "az-tokens-2", "orgId": "%s", "memberId": "%s", "model": "az-cent", "activity": "chat", "tokens": {"input": 1}}"""
                .formatted(org, ana(org)));
        for (String m : List.of(dev(org), ana(org))) {
            JsonNode d = authorize(org, m);
            assertDenied(d, "TOKEN_LIMIT_REACHED");
            assertRemaining(d, null, null, "999.00");
        }
    }

    // ---- restrictions ----

    @Test
    void modelNotAllowedByTheOrgOrTheMember() {
        String org = newOrg("az-model", "az-allow");
        server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{\"models\": [\"az-unit\", \"az-cent\"]}");
        server.op("PUT", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", "{\"models\": [\"az-unit\"]}");
        assertAllowed(authorize(org, dev(org), "az-unit", "chat", null));
        JsonNode d = authorize(org, dev(org), "az-cent", "chat", null);
        assertDenied(d, "MODEL_NOT_ALLOWED");
        assertThat(d.path("message").asText()).contains("az-cent");
        assertRemaining(d, null, null, "1000.00");
        assertAllowed(authorize(org, ana(org), "az-cent", "chat", null));
        // The org's list binds every member.
        server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{\"models\": [\"az-unit\"]}");
        assertDenied(authorize(org, ana(org), "az-cent", "chat", null), "MODEL_NOT_ALLOWED");
    }

    @Test
    void activityNotAllowedByTheOrgOrTheMember() {
        String org = newOrg("az-activity", "az-allow");
        server.op("PUT", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", "{\"activities\": [\"chat\"]}");
        assertAllowed(authorize(org, dev(org), "az-unit", "chat", null));
        JsonNode d = authorize(org, dev(org), "az-unit", "agent", null);
        assertDenied(d, "ACTIVITY_NOT_ALLOWED");
        assertThat(d.path("message").asText()).contains("agent");
        assertAllowed(authorize(org, ana(org), "az-unit", "agent", null));
        server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{\"activities\": [\"chat\", \"code_review\"]}");
        assertDenied(authorize(org, ana(org), "az-unit", "agent", null), "ACTIVITY_NOT_ALLOWED");
        assertAllowed(authorize(org, ana(org), "az-unit", "code_review", null));
        // Clearing the lists allows everything again.
        server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{}");
        server.op("PUT", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", "{}");
        assertAllowed(authorize(org, dev(org), "az-unit", "agent", null));
    }

    @Test
    void restrictedUsageIsStillRecordedAndCharged() {
        String org = newOrg("az-restricted", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"100\", \"enforce\": true}}");
        server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{\"models\": [\"az-cent\"], \"activities\": [\"chat\"]}");
        assertDenied(authorize(org, dev(org), "az-unit", "chat", null), "MODEL_NOT_ALLOWED");
        JsonNode e = spend("az-restricted-1", org, dev(org), 7);
        assertThat(e.path("credits").asText()).isEqualTo("7.00");
        TestServer.Response agent = server.post("/v1/usage", OP, """
                {"id": "az-restricted-2", "orgId": "%s", "memberId": "%s", "model": "az-cent", "activity": "agent", "tokens": {"input": 300}}"""
                .formatted(org, dev(org)));
        assertThat(agent.json().path("events").get(0).path("status").asText()).isEqualTo("accepted");
        assertThat(agent.json().path("events").get(0).path("credits").asText()).isEqualTo("3.00");
        assertThat(balance(server, org).path("credits").asText()).isEqualTo("990.00");
        assertRemaining(authorize(org, dev(org), "az-cent", "chat", null), null, "90.00", "990.00");
    }

    // ---- validation and errors ----

    @Test
    void unknownOrgMemberOrModelIs404() {
        String org = newOrg("az-unknown", "az-allow");
        assertError(authorizeRaw("""
                {"orgId": "az-no-such-org", "memberId": "x@y.z", "model": "az-unit", "activity": "chat"}"""), 404, "ORG_NOT_FOUND");
        assertError(authorizeRaw("""
                {"orgId": "%s", "memberId": "ghost@nowhere.example", "model": "az-unit", "activity": "chat"}""".formatted(org)),
                404, "MEMBER_NOT_FOUND");
        assertError(authorizeRaw("""
                {"orgId": "%s", "memberId": "%s", "model": "az-no-such-model", "activity": "chat"}""".formatted(org, dev(org))),
                404, "MODEL_NOT_FOUND");
        assertError(authorizeRaw("""
                {"orgId": "%s", "memberId": "%s", "model": "az-no-such-model", "activity": "chat", "estimatedCredits": "1", "reserve": true}"""
                .formatted(org, dev(org))), 404, "MODEL_NOT_FOUND");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
    }

    @Test
    void malformedRequestsAre400() {
        String org = newOrg("az-bad", "az-allow");
        String base = "\"orgId\": \"%s\", \"memberId\": \"%s\", \"model\": \"az-unit\", \"activity\": \"chat\"".formatted(org, dev(org));
        String[] fields = {"orgId", "memberId", "model", "activity"};
        String[] values = {org, dev(org), "az-unit", "chat"};
        for (int missing = 0; missing < fields.length; missing++) {
            List<String> present = new ArrayList<>();
            for (int i = 0; i < fields.length; i++) if (i != missing) present.add("\"" + fields[i] + "\": \"" + values[i] + "\"");
            assertFieldError(authorizeRaw("{" + String.join(", ", present) + "}"), 400, "MISSING_FIELD", fields[missing]);
            assertFieldError(authorizeRaw("{" + String.join(", ", present) + ", \"" + fields[missing] + "\": \"\"}"), 400, "MISSING_FIELD",
                    fields[missing]);
        }
        assertFieldError(authorizeRaw("{" + base + ", \"estimate\": \"1\"}"), 400, "UNKNOWN_FIELD", "estimate");
        assertFieldError(authorizeRaw("{" + base + ", \"estimatedCredits\": \"-1\"}"), 400, "VALIDATION_ERROR", "estimatedCredits");
        assertFieldError(authorizeRaw("{" + base + ", \"estimatedCredits\": \"many\"}"), 400, "VALIDATION_ERROR", "estimatedCredits");
        assertFieldError(authorizeRaw("{" + base + ", \"reserve\": \"yes\"}"), 400, "VALIDATION_ERROR", "reserve");
        assertFieldError(authorizeRaw("""
                {"orgId": 5, "memberId": "%s", "model": "az-unit", "activity": "chat"}""".formatted(dev(org))), 400, "VALIDATION_ERROR", "orgId");
        assertError(authorizeRaw("{" + base), 400, "MALFORMED_JSON");
        assertError(authorizeRaw(""), 400, "MALFORMED_JSON");
        assertThat(authorizeRaw("[1]").status()).isEqualTo(400);
    }

    @Test
    void onlyOperatorKeysMayAuthorizeOrTouchReservations() {
        String org = newOrg("az-auth", "az-allow");
        member(server, org, "boss@" + org + ".example", "admin");
        String admin = key(server, org, "admin", "boss@" + org + ".example");
        String memberKey = key(server, org, "member", dev(org));
        String body = """
                {"orgId": "%s", "memberId": "%s", "model": "az-unit", "activity": "chat", "estimatedCredits": "1", "reserve": true}"""
                .formatted(org, dev(org));
        assertError(server.post("/v1/authorize", admin, body), 403, "FORBIDDEN");
        assertError(server.post("/v1/authorize", memberKey, body), 403, "FORBIDDEN");
        assertError(server.post("/v1/authorize", null, body), 401, "UNAUTHENTICATED");
        assertError(server.post("/v1/authorize", "wrong-key", body), 401, "UNAUTHENTICATED");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");

        String id = reserve(org, dev(org), "1").path("reservationId").asText();
        for (String k : new String[] {admin, memberKey}) {
            assertError(server.get("/v1/reservations/" + id, k), 403, "FORBIDDEN");
            assertError(server.post("/v1/reservations/" + id + "/release", k, null), 403, "FORBIDDEN");
        }
        assertError(server.get("/v1/reservations/" + id, null), 401, "UNAUTHENTICATED");
        assertError(server.post("/v1/reservations/" + id + "/release", null, null), 401, "UNAUTHENTICATED");
        assertThat(reservation(id).path("status").asText()).isEqualTo("pending");
    }

    // ---- reservations ----

    @Test
    void reservingNeedsAPositiveEstimate() {
        String org = newOrg("az-rsv-est", "az-allow");
        String base = "\"orgId\": \"%s\", \"memberId\": \"%s\", \"model\": \"az-unit\", \"activity\": \"chat\", \"reserve\": true"
                .formatted(org, dev(org));
        assertFieldError(authorizeRaw("{" + base + "}"), 400, "MISSING_FIELD", "estimatedCredits");
        assertFieldError(authorizeRaw("{" + base + ", \"estimatedCredits\": 0}"), 400, "VALIDATION_ERROR", "estimatedCredits");
        assertFieldError(authorizeRaw("{" + base + ", \"estimatedCredits\": \"0.00\"}"), 400, "VALIDATION_ERROR", "estimatedCredits");
        assertFieldError(authorizeRaw("{" + base + ", \"estimatedCredits\": \"-5\"}"), 400, "VALIDATION_ERROR", "estimatedCredits");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
        // Without reserve, an estimate of zero is just a check.
        assertAllowed(authorize(org, dev(org), "az-unit", "chat", "0"));
    }

    @Test
    void aReservationHasAnIdAnExpiryAndIsReadable() {
        String org = newOrg("az-rsv-shape", "az-allow");
        JsonNode d = reserve(org, dev(org), "2.5");
        assertAllowed(d);
        List<String> fields = new ArrayList<>();
        d.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("allowed", "reason", "message", "remaining", "reservationId", "expiresAt");
        // The remaining amounts are those before this call.
        assertRemaining(d, null, null, "1000.00");
        assertThat(d.path("expiresAt").asText()).isEqualTo("2026-11-15T12:10:00Z");
        String id = d.path("reservationId").asText();
        assertThat(id).isNotBlank();

        JsonNode r = reservation(id);
        assertThat(r.path("id").asText()).isEqualTo(id);
        assertThat(r.path("orgId").asText()).isEqualTo(org);
        assertThat(r.path("memberId").asText()).isEqualTo(dev(org));
        assertThat(r.path("model").asText()).isEqualTo("az-unit");
        assertThat(r.path("activity").asText()).isEqualTo("chat");
        assertThat(r.path("credits").asText()).isEqualTo("2.50");
        assertThat(r.path("status").asText()).isEqualTo("pending");
        assertThat(r.path("createdAt").asText()).isEqualTo("2026-11-15T12:00:00Z");
        assertThat(r.path("expiresAt").asText()).isEqualTo("2026-11-15T12:10:00Z");
        assertThat(r.path("finishedAt").isNull()).isTrue();
        assertThat(r.path("settledByEventId").isNull()).isTrue();

        JsonNode b = balance(server, org);
        assertThat(b.path("credits").asText()).isEqualTo("1000.00");
        assertThat(b.path("reserved").asText()).isEqualTo("2.50");
        assertThat(b.path("available").asText()).isEqualTo("997.50");
        assertRemaining(authorize(org, dev(org)), null, null, "997.50");
    }

    @Test
    void aHoldCountsAgainstTheMemberBudget() {
        String org = newOrg("az-rsv-member", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        JsonNode first = reserve(org, dev(org), "6");
        assertAllowed(first);
        assertRemaining(first, null, "10.00", "1000.00");
        JsonNode second = reserve(org, dev(org), "6");
        assertDenied(second, "MEMBER_BUDGET_EXHAUSTED");
        assertRemaining(second, null, "4.00", "994.00");
        assertAllowed(reserve(org, dev(org), "4"));
        assertDenied(authorize(org, dev(org)), "MEMBER_BUDGET_EXHAUSTED");
        // Another member's budget is not touched.
        assertRemaining(authorize(org, ana(org)), null, "10.00", "990.00");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("10.00");
    }

    @Test
    void aHoldCountsAgainstTheOrgBudget() {
        String org = newOrg("az-rsv-org", "az-allow");
        budgets(org, "{\"org\": {\"credits\": \"10\", \"enforce\": true}}");
        assertAllowed(reserve(org, dev(org), "6"));
        JsonNode d = reserve(org, ana(org), "6");
        assertDenied(d, "ORG_BUDGET_EXHAUSTED");
        assertRemaining(d, "4.00", null, "994.00");
        assertAllowed(reserve(org, ana(org), "4"));
    }

    @Test
    void aHoldCountsAgainstAHardLimitBalance() {
        String org = newOrg("az-rsv-balance", "az-block");
        assertAllowed(reserve(org, dev(org), "6"));
        JsonNode d = reserve(org, ana(org), "6");
        assertDenied(d, "CREDITS_EXHAUSTED");
        assertRemaining(d, null, null, "4.00");
        JsonNode b = balance(server, org);
        assertThat(b.path("credits").asText()).isEqualTo("10.00");
        assertThat(b.path("reserved").asText()).isEqualTo("6.00");
        assertThat(b.path("available").asText()).isEqualTo("4.00");
    }

    @Test
    void aDeniedReservationHoldsNothingAtAnyLevel() {
        String org = newOrg("az-rsv-none", "az-block");
        budgets(org, """
                {"org": {"credits": "5", "enforce": true}, "defaultMember": {"credits": "8", "enforce": true}}""");
        JsonNode d = reserve(org, dev(org), "6");
        assertDenied(d, "ORG_BUDGET_EXHAUSTED");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
        assertRemaining(authorize(org, dev(org)), "5.00", "8.00", "10.00");
    }

    @Test
    void usageWithTheReservationIdSettlesIt() {
        String org = newOrg("az-settle", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        String id = reserve(org, dev(org), "5").path("reservationId").asText();
        server.clock.advance(Duration.ofSeconds(30));
        JsonNode e = spend("az-settle-1", org, dev(org), 3, id);
        assertThat(e.path("status").asText()).isEqualTo("accepted");
        assertThat(e.path("credits").asText()).isEqualTo("3.00");

        JsonNode r = reservation(id);
        assertThat(r.path("status").asText()).isEqualTo("settled");
        assertThat(r.path("settledByEventId").asText()).isEqualTo("az-settle-1");
        assertThat(r.path("finishedAt").asText()).isEqualTo("2026-11-15T12:00:30Z");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
        assertRemaining(authorize(org, dev(org)), null, "7.00", "997.00");

        // Re-sending the event changes nothing; the hold cannot be released any more.
        assertThat(spend("az-settle-1", org, dev(org), 3, id).path("status").asText()).isEqualTo("duplicate");
        assertRemaining(authorize(org, dev(org)), null, "7.00", "997.00");
        JsonNode notOpen = assertError(server.post("/v1/reservations/" + id + "/release", OP, null), 409, "RESERVATION_NOT_OPEN");
        assertThat(notOpen.path("details").path("status").asText()).isEqualTo("settled"); // as the reservation shows it
        assertThat(reservation(id).path("status").asText()).isEqualTo("settled");
    }

    @Test
    void theHoldOfAnOrgWithTheLongestIdIsSettledByItsUsage() {
        // Org ids may have 128 characters; their reservation ids then have 208, longer than an event id may be.
        String org = newOrg("az-" + "l".repeat(125), "az-allow");
        String id = reserve(org, dev(org), "5").path("reservationId").asText();
        assertThat(id).hasSize(208);
        JsonNode e = spend("az-long-1", org, dev(org), 3, id);
        assertThat(e.path("status").asText()).as(e.toString()).isEqualTo("accepted");
        assertThat(reservation(id).path("status").asText()).isEqualTo("settled");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
        JsonNode tooLong = spend("az-long-2", org, dev(org), 1, id + "x");
        assertThat(tooLong.path("status").asText()).isEqualTo("rejected");
        assertThat(tooLong.path("error").path("message").asText()).contains("reservationId is longer than 208 characters");
    }

    @Test
    void anActualChargeAboveTheEstimateReplacesTheHold() {
        String org = newOrg("az-settle-above", "az-block");
        String id = reserve(org, dev(org), "4").path("reservationId").asText();
        assertThat(balance(server, org).path("available").asText()).isEqualTo("6.00");
        spend("az-settle-above-1", org, dev(org), 7, id);
        assertThat(reservation(id).path("status").asText()).isEqualTo("settled");
        JsonNode b = balance(server, org);
        assertThat(b.path("credits").asText()).isEqualTo("3.00");
        assertThat(b.path("reserved").asText()).isEqualTo("0.00");
        assertThat(b.path("available").asText()).isEqualTo("3.00");
        assertRemaining(authorize(org, dev(org)), null, null, "3.00");
    }

    @Test
    void removingAMemberReleasesTheirOpenHolds() {
        String org = newOrg("az-remove", "az-block");
        budgets(org, "{\"org\": {\"credits\": \"9\", \"enforce\": true}}");
        String theirs = reserve(org, dev(org), "6").path("reservationId").asText();
        String kept = reserve(org, ana(org), "2").path("reservationId").asText();
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("8.00");
        assertStatus(server.delete("/v1/orgs/" + org + "/members/" + enc(dev(org)), OP), 204);
        // Their events are refused from now on, so nothing could settle the hold: it is released at once, not held until its TTL.
        assertThat(reservation(theirs).path("status").asText()).isEqualTo("released");
        assertThat(reservation(kept).path("status").asText()).isEqualTo("pending");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("2.00");
        assertRemaining(authorize(org, ana(org)), "7.00", null, "8.00");
    }

    @Test
    void usageOfAnotherMemberDoesNotSettleAHold() {
        String org = newOrg("az-settle-who", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        String id = reserve(org, dev(org), "5").path("reservationId").asText();
        // ana's event names dev's hold: it is recorded and charged to ana; dev's hold stays until released or expired.
        JsonNode e = spend("az-settle-who-1", org, ana(org), 2, id);
        assertThat(e.path("status").asText()).isEqualTo("accepted");
        assertThat(reservation(id).path("status").asText()).isEqualTo("pending");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("5.00");
        assertRemaining(authorize(org, dev(org)), null, "5.00", "993.00");
        assertRemaining(authorize(org, ana(org)), null, "8.00", "993.00");
        spend("az-settle-who-2", org, dev(org), 4, id);
        assertThat(reservation(id).path("settledByEventId").asText()).isEqualTo("az-settle-who-2");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
    }

    @Test
    void usageOfAnotherOrgDoesNotSettleAHold() {
        String org = newOrg("az-settle-iso", "az-allow");
        String other = newOrg("az-settle-iso2", "az-allow");
        String id = reserve(org, dev(org), "5").path("reservationId").asText();
        spend("az-settle-iso-1", other, dev(other), 2, id);
        assertThat(reservation(id).path("status").asText()).isEqualTo("pending");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("5.00");
    }

    @Test
    void releaseFreesTheHoldOnce() {
        String org = newOrg("az-release", "az-allow");
        budgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        String id = reserve(org, dev(org), "8").path("reservationId").asText();
        assertDenied(reserve(org, dev(org), "8"), "MEMBER_BUDGET_EXHAUSTED");
        server.clock.advance(Duration.ofSeconds(5));

        TestServer.Response rel = server.post("/v1/reservations/" + id + "/release", OP, null);
        assertStatus(rel, 200);
        assertThat(rel.json().path("id").asText()).isEqualTo(id);
        assertThat(rel.json().path("status").asText()).isEqualTo("released");
        assertThat(rel.json().path("finishedAt").asText()).isEqualTo("2026-11-15T12:00:05Z");
        assertThat(rel.json().path("settledByEventId").isNull()).isTrue();
        assertThat(reservation(id).path("status").asText()).isEqualTo("released");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
        assertRemaining(authorize(org, dev(org)), null, "10.00", "1000.00");

        JsonNode again = assertError(server.post("/v1/reservations/" + id + "/release", OP, null), 409, "RESERVATION_NOT_OPEN");
        assertThat(again.path("message").asText()).contains("released");

        // Usage naming a released hold is still recorded and charged; the hold stays released.
        JsonNode e = spend("az-release-1", org, dev(org), 2, id);
        assertThat(e.path("status").asText()).isEqualTo("accepted");
        assertThat(reservation(id).path("status").asText()).isEqualTo("released");
        assertRemaining(authorize(org, dev(org)), null, "8.00", "998.00");
    }

    @Test
    void unknownReservationsAre404() {
        String org = newOrg("az-rsv-404", "az-allow");
        String id = reserve(org, dev(org), "1").path("reservationId").asText();
        String forged = id.substring(0, id.length() - 4) + (id.endsWith("0000") ? "1111" : "0000");
        for (String unknown : List.of("rsv-does-not-exist", "rsv.AAAA.00", forged)) {
            assertError(server.get("/v1/reservations/" + unknown, OP), 404, "RESERVATION_NOT_FOUND");
            assertError(server.post("/v1/reservations/" + unknown + "/release", OP, null), 404, "RESERVATION_NOT_FOUND");
        }
        assertThat(reservation(id).path("status").asText()).isEqualTo("pending");
    }

    @Test
    void holdsExpireAfterTheTtlAndFreeTheirCredits() {
        String org = newOrg("az-expire", "az-block");
        budgets(org, """
                {"org": {"credits": "9", "enforce": true}, "defaultMember": {"credits": "8", "enforce": true}}""");
        String id = reserve(org, dev(org), "8").path("reservationId").asText();
        assertDenied(authorize(org, dev(org)), "MEMBER_BUDGET_EXHAUSTED");
        assertRemaining(authorize(org, ana(org)), "1.00", "8.00", "2.00");

        server.clock.advance(Duration.ofSeconds(599));
        assertThat(reservation(id).path("status").asText()).isEqualTo("pending");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("8.00");

        server.clock.advance(Duration.ofSeconds(1));
        JsonNode r = reservation(id);
        assertThat(r.path("status").asText()).isEqualTo("expired");
        assertThat(r.path("expiresAt").asText()).isEqualTo("2026-11-15T12:10:00Z");
        JsonNode b = balance(server, org);
        assertThat(b.path("reserved").asText()).isEqualTo("0.00");
        assertThat(b.path("available").asText()).isEqualTo("10.00");
        JsonNode d = authorize(org, dev(org), "az-unit", "chat", "8");
        assertAllowed(d);
        assertRemaining(d, "9.00", "8.00", "10.00");
        assertError(server.post("/v1/reservations/" + id + "/release", OP, null), 409, "RESERVATION_NOT_OPEN");
        assertThat(reservation(id).path("status").asText()).isEqualTo("expired");
        // Usage arriving after the expiry is recorded, and the hold stays expired (it turned "settled" after its end).
        assertThat(spend("az-expire-late", org, dev(org), 1, id).path("status").asText()).isEqualTo("accepted");
        JsonNode late = reservation(id);
        assertThat(late.path("status").asText()).isEqualTo("expired");
        assertThat(late.path("finishedAt").isNull()).isTrue();
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");
    }

    @Test
    void ttlSecondsIsBoundedAndSetsTheExpiry() {
        String org = newOrg("az-ttl", "az-allow");
        String base = "\"orgId\": \"%s\", \"memberId\": \"%s\", \"model\": \"az-unit\", \"activity\": \"chat\", \"estimatedCredits\": \"1\", \"reserve\": true"
                .formatted(org, dev(org));
        assertFieldError(authorizeRaw("{" + base + ", \"ttlSeconds\": 0}"), 400, "VALIDATION_ERROR", "ttlSeconds");
        assertFieldError(authorizeRaw("{" + base + ", \"ttlSeconds\": 86401}"), 400, "VALIDATION_ERROR", "ttlSeconds");
        assertThat(authorizeRaw("{" + base + ", \"ttlSeconds\": -1}").status()).isEqualTo(400);
        assertThat(authorizeRaw("{" + base + ", \"ttlSeconds\": 1.5}").status()).isEqualTo(400);
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("0.00");

        TestServer.Response one = authorizeRaw("{" + base + ", \"ttlSeconds\": 1}");
        assertStatus(one, 200);
        assertThat(one.json().path("expiresAt").asText()).isEqualTo("2026-11-15T12:00:01Z");
        TestServer.Response day = authorizeRaw("{" + base + ", \"ttlSeconds\": 86400}");
        assertStatus(day, 200);
        assertThat(day.json().path("expiresAt").asText()).isEqualTo("2026-11-16T12:00:00Z");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("2.00");

        server.clock.advance(Duration.ofSeconds(1));
        assertThat(reservation(one.json().path("reservationId").asText()).path("status").asText()).isEqualTo("expired");
        assertThat(reservation(day.json().path("reservationId").asText()).path("status").asText()).isEqualTo("pending");
        assertThat(balance(server, org).path("reserved").asText()).isEqualTo("1.00");
    }

    @Test
    void hugeReservationsDoNotWedgeTheOrg() {
        String org = newOrg("az-rsv-huge", "az-allow");
        TestServer.Response tooBig = authorizeRaw("""
                {"orgId": "%s", "memberId": "%s", "model": "az-unit", "activity": "chat", "estimatedCredits": "9000000000000", "reserve": true}"""
                .formatted(org, dev(org)));
        assertThat(tooBig.status()).as(tooBig.body()).isEqualTo(400);
        assertThat(tooBig.errorCode()).isEqualTo("VALUE_TOO_LARGE");
        JsonNode first = reserve(org, dev(org), "1000000");
        assertAllowed(first);
        assertAllowed(reserve(org, dev(org), "1000000"));
        // The org keeps working with the largest holds open.
        TestServer.Response check = authorizeRaw("""
                {"orgId": "%s", "memberId": "%s", "model": "az-unit", "activity": "chat"}""".formatted(org, ana(org)));
        assertThat(check.status()).as("authorize after huge holds: %s", check.body()).isEqualTo(200);
        TestServer.Response bal = server.get("/v1/orgs/" + org + "/balance", OP);
        assertThat(bal.status()).as("balance after huge holds: %s", bal.body()).isEqualTo(200);
        assertThat(bal.json().path("reserved").asText()).isEqualTo("2000000.00");
        assertStatus(server.post("/v1/reservations/" + first.path("reservationId").asText() + "/release", OP, null), 200);
    }

}
