package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.raw;
import static creditline.api.http.ApiTestSupport.spend;
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Budgets over HTTP: the org and default member budgets with merge semantics, per-member
 * overrides, model/activity restrictions of the org and of a member, and who may do what.
 */
class BudgetApiTest {
    private static final String SA = "SA ci-bot";
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "bud-plan", "100000", "allow");
        unitModel(server, "bud-unit");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A new org with members {@code dev@<org>}, {@code ana@<org>} and the service account {@code SA ci-bot}. */
    private static String newOrg(String orgId) {
        org(server, orgId, "bud-plan");
        member(server, orgId, dev(orgId), "member");
        member(server, orgId, ana(orgId), "member");
        member(server, orgId, SA, "member");
        return orgId;
    }

    private static String dev(String orgId) {
        return "dev@" + orgId + ".example";
    }

    private static String ana(String orgId) {
        return "ana@" + orgId + ".example";
    }

    private static String budgets(String orgId) {
        return "/v1/orgs/" + orgId + "/budgets";
    }

    private static String override(String orgId, String memberId) {
        return "/v1/orgs/" + orgId + "/budgets/members/" + enc(memberId);
    }

    private static JsonNode putBudgets(String orgId, String body) {
        TestServer.Response r = server.put(budgets(orgId), OP, body);
        assertStatus(r, 200);
        return r.json();
    }

    private static JsonNode getBudgets(String orgId) {
        TestServer.Response r = server.get(budgets(orgId), OP);
        assertStatus(r, 200);
        return r.json();
    }

    /** Asserts one budget section field by field; credits null means unlimited. */
    private static void assertSection(JsonNode section, String credits, boolean enforce, String notifyField, boolean notify, int alertPercent) {
        assertThat(section.size()).as("fields of %s", section).isEqualTo(4);
        if (credits == null) assertThat(section.path("credits").isNull()).as("unlimited credits in %s", section).isTrue();
        else assertThat(section.path("credits").asText()).as("credits in %s", section).isEqualTo(credits);
        assertThat(section.path("enforce").isBoolean()).isTrue();
        assertThat(section.path("enforce").booleanValue()).as("enforce in %s", section).isEqualTo(enforce);
        assertThat(section.path(notifyField).isBoolean()).as("%s in %s", notifyField, section).isTrue();
        assertThat(section.path(notifyField).booleanValue()).as("%s in %s", notifyField, section).isEqualTo(notify);
        assertThat(section.path("alertPercent").isIntegralNumber()).isTrue();
        assertThat(section.path("alertPercent").intValue()).as("alertPercent in %s", section).isEqualTo(alertPercent);
    }

    private static JsonNode authorize(String orgId, String memberId) {
        TestServer.Response r = server.post("/v1/authorize", OP, """
                {"orgId": "%s", "memberId": "%s", "model": "bud-unit", "activity": "chat"}""".formatted(orgId, memberId));
        assertStatus(r, 200);
        return r.json();
    }

    // ---- org and default member budgets ----

    @Test
    void aNewOrgHasUnlimitedUnenforcedBudgetsAlertingAt80Percent() {
        String org = newOrg("bud-defaults");
        JsonNode b = getBudgets(org);
        assertThat(b.size()).isEqualTo(2);
        assertSection(b.path("org"), null, false, "notifyAdmin", false, 80);
        assertSection(b.path("defaultMember"), null, false, "notifyUser", false, 80);
    }

    @Test
    void putSetsEveryFieldAndGetReadsItBack() {
        String org = newOrg("bud-full");
        JsonNode put = putBudgets(org, """
                {"org": {"credits": "1000", "enforce": true, "notifyAdmin": true, "alertPercent": 90},
                 "defaultMember": {"credits": 12.345, "enforce": true, "notifyUser": true, "alertPercent": 50}}""");
        assertSection(put.path("org"), "1000.00", true, "notifyAdmin", true, 90);
        assertSection(put.path("defaultMember"), "12.345", true, "notifyUser", true, 50);
        assertThat(getBudgets(org)).isEqualTo(put);
    }

    @Test
    void anAbsentSectionKeepsItsValues() {
        String org = newOrg("bud-merge-section");
        putBudgets(org, """
                {"org": {"credits": "500", "enforce": true, "notifyAdmin": true, "alertPercent": 70},
                 "defaultMember": {"credits": "50", "enforce": true, "notifyUser": true, "alertPercent": 60}}""");
        JsonNode onlyMember = putBudgets(org, "{\"defaultMember\": {\"credits\": \"40\"}}");
        assertSection(onlyMember.path("org"), "500.00", true, "notifyAdmin", true, 70);
        assertSection(onlyMember.path("defaultMember"), "40.00", true, "notifyUser", true, 60);
        JsonNode onlyOrg = putBudgets(org, "{\"org\": {\"alertPercent\": 95}}");
        assertSection(onlyOrg.path("org"), "500.00", true, "notifyAdmin", true, 95);
        assertSection(onlyOrg.path("defaultMember"), "40.00", true, "notifyUser", true, 60);
        JsonNode empty = putBudgets(org, "{}");
        assertThat(empty).isEqualTo(onlyOrg);
        assertThat(getBudgets(org)).isEqualTo(onlyOrg);
    }

    @Test
    void anAbsentFieldKeepsItsValue() {
        String org = newOrg("bud-merge-field");
        putBudgets(org, """
                {"org": {"credits": "300", "enforce": true, "notifyAdmin": true, "alertPercent": 75}}""");
        assertSection(putBudgets(org, "{\"org\": {\"enforce\": false}}").path("org"), "300.00", false, "notifyAdmin", true, 75);
        assertSection(putBudgets(org, "{\"org\": {\"notifyAdmin\": false}}").path("org"), "300.00", false, "notifyAdmin", false, 75);
        assertSection(putBudgets(org, "{\"org\": {\"credits\": \"0.5\"}}").path("org"), "0.50", false, "notifyAdmin", false, 75);
        assertSection(putBudgets(org, "{\"org\": {}}").path("org"), "0.50", false, "notifyAdmin", false, 75);
    }

    @Test
    void creditsNullMeansUnlimited() {
        String org = newOrg("bud-null");
        putBudgets(org, """
                {"org": {"credits": "300", "enforce": true}, "defaultMember": {"credits": "30", "enforce": true}}""");
        JsonNode b = putBudgets(org, "{\"org\": {\"credits\": null}, \"defaultMember\": {\"credits\": null}}");
        assertSection(b.path("org"), null, true, "notifyAdmin", false, 80);
        assertSection(b.path("defaultMember"), null, true, "notifyUser", false, 80);
        assertThat(getBudgets(org)).isEqualTo(b);
        // Unlimited and enforced: nothing to exhaust.
        spend(server, "bud-null-1", org, dev(org), "bud-unit", 1_000);
        JsonNode a = authorize(org, dev(org));
        assertThat(a.path("allowed").asBoolean()).isTrue();
        assertThat(a.path("remaining").path("orgBudget").isNull()).isTrue();
        assertThat(a.path("remaining").path("memberBudget").isNull()).isTrue();
    }

    @Test
    void zeroIsABudgetNotUnlimited() {
        String org = newOrg("bud-zero");
        JsonNode b = putBudgets(org, "{\"defaultMember\": {\"credits\": 0, \"enforce\": true}}");
        assertSection(b.path("defaultMember"), "0.00", true, "notifyUser", false, 80);
        JsonNode a = authorize(org, dev(org));
        assertThat(a.path("allowed").asBoolean()).isFalse();
        assertThat(a.path("reason").asText()).isEqualTo("MEMBER_BUDGET_EXHAUSTED");
    }

    @Test
    void alertPercentBoundsAre1To100() {
        String org = newOrg("bud-alert");
        assertSection(putBudgets(org, "{\"org\": {\"alertPercent\": 1}}").path("org"), null, false, "notifyAdmin", false, 1);
        assertSection(putBudgets(org, "{\"org\": {\"alertPercent\": 100}}").path("org"), null, false, "notifyAdmin", false, 100);
        assertFieldError(server.put(budgets(org), OP, "{\"org\": {\"alertPercent\": 0}}"), 400, "VALIDATION_ERROR", "org.alertPercent");
        assertFieldError(server.put(budgets(org), OP, "{\"org\": {\"alertPercent\": 101}}"), 400, "VALIDATION_ERROR", "org.alertPercent");
        assertFieldError(server.put(budgets(org), OP, "{\"defaultMember\": {\"alertPercent\": 0}}"), 400, "VALIDATION_ERROR",
                "defaultMember.alertPercent");
        assertFieldError(server.put(budgets(org), OP, "{\"defaultMember\": {\"alertPercent\": 101}}"), 400, "VALIDATION_ERROR",
                "defaultMember.alertPercent");
        // A negative percent is out of 1..100 like 0 (GraphQL says so too), not a negative token count.
        assertFieldError(server.put(budgets(org), OP, "{\"org\": {\"alertPercent\": -5}}"), 400, "VALIDATION_ERROR", "org.alertPercent");
        assertThat(server.put(budgets(org), OP, "{\"org\": {\"alertPercent\": 50.5}}").status()).isEqualTo(400);
        assertThat(server.put(budgets(org), OP, "{\"org\": {\"alertPercent\": \"50\"}}").status()).isEqualTo(400);
        assertSection(getBudgets(org).path("org"), null, false, "notifyAdmin", false, 100);
    }

    @Test
    void unknownFieldsAre400() {
        String org = newOrg("bud-unknown");
        assertFieldError(server.put(budgets(org), OP, "{\"orgBudget\": {\"credits\": \"5\"}}"), 400, "UNKNOWN_FIELD", "orgBudget");
        assertFieldError(server.put(budgets(org), OP, "{\"org\": {\"credit\": \"5\"}}"), 400, "UNKNOWN_FIELD", "org.credit");
        // Each section has its own notify flag.
        assertFieldError(server.put(budgets(org), OP, "{\"org\": {\"notifyUser\": true}}"), 400, "UNKNOWN_FIELD", "org.notifyUser");
        assertFieldError(server.put(budgets(org), OP, "{\"defaultMember\": {\"notifyAdmin\": true}}"), 400, "UNKNOWN_FIELD",
                "defaultMember.notifyAdmin");
        assertSection(getBudgets(org).path("org"), null, false, "notifyAdmin", false, 80);
        assertSection(getBudgets(org).path("defaultMember"), null, false, "notifyUser", false, 80);
    }

    @Test
    void badValuesAre400AndNothingIsHalfApplied() {
        String org = newOrg("bud-bad");
        putBudgets(org, "{\"org\": {\"credits\": \"100\"}, \"defaultMember\": {\"credits\": \"10\"}}");
        JsonNode before = getBudgets(org);
        assertError(server.put(budgets(org), OP, "{\"org\": {\"credits\": \"-1\"}}"), 400, "VALIDATION_ERROR");
        assertError(server.put(budgets(org), OP, "{\"org\": {\"credits\": \"ten\"}}"), 400, "VALIDATION_ERROR");
        assertThat(server.put(budgets(org), OP, "{\"org\": {\"credits\": \"1.1234567\"}}").status()).isEqualTo(400);
        assertError(server.put(budgets(org), OP, "{\"org\": {\"enforce\": \"yes\"}}"), 400, "VALIDATION_ERROR");
        assertThat(server.put(budgets(org), OP, "{\"org\": 5}").status()).isEqualTo(400);
        assertThat(server.put(budgets(org), OP, "[]").status()).isEqualTo(400);
        assertError(server.put(budgets(org), OP, "{\"org\": "), 400, "MALFORMED_JSON");
        // The org section is valid, the member section is not: neither is applied.
        assertThat(server.put(budgets(org), OP, """
                {"org": {"credits": "55"}, "defaultMember": {"alertPercent": 0}}""").status()).isEqualTo(400);
        assertThat(server.put(budgets(org), OP, """
                {"org": {"credits": "55"}, "defaultMember": {"credits": "-3"}}""").status()).isEqualTo(400);
        assertThat(getBudgets(org)).isEqualTo(before);
    }

    @Test
    void budgetsOfAnUnknownOrgAre404ForTheOperator() {
        assertError(server.get(budgets("bud-nope"), OP), 404, "ORG_NOT_FOUND");
        assertError(server.put(budgets("bud-nope"), OP, "{\"org\": {\"credits\": \"1\"}}"), 404, "ORG_NOT_FOUND");
        assertError(server.get("/v1/orgs/bud-nope/budgets/members", OP), 404, "ORG_NOT_FOUND");
        assertError(server.put(override("bud-nope", "x@y.z"), OP, "{\"credits\": \"1\"}"), 404, "ORG_NOT_FOUND");
        assertError(server.get("/v1/orgs/bud-nope/restrictions", OP), 404, "ORG_NOT_FOUND");
        assertError(server.put("/v1/orgs/bud-nope/restrictions", OP, "{}"), 404, "ORG_NOT_FOUND");
    }

    // ---- member overrides ----

    @Test
    void overridesAreSetListedReplacedAndCleared() {
        String org = newOrg("bud-ovr");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides")).isEmpty();

        TestServer.Response put = server.put(override(org, dev(org)), OP, "{\"credits\": \"25\"}");
        assertStatus(put, 200);
        assertThat(put.json().path("memberId").asText()).isEqualTo(dev(org));
        assertThat(put.json().path("credits").asText()).isEqualTo("25.00");
        put = server.put(override(org, SA), OP, "{\"credits\": 7.5}");
        assertStatus(put, 200);
        assertThat(put.json().path("memberId").asText()).isEqualTo(SA);
        assertThat(put.json().path("credits").asText()).isEqualTo("7.50");

        JsonNode list = server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides");
        assertThat(list).hasSize(2);
        assertThat(overrideOf(list, dev(org)).path("credits").asText()).isEqualTo("25.00");
        assertThat(overrideOf(list, SA).path("credits").asText()).isEqualTo("7.50");

        // Replacing one keeps a single row for the member.
        assertStatus(server.put(override(org, dev(org)), OP, "{\"credits\": \"26.125\"}"), 200);
        list = server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides");
        assertThat(list).hasSize(2);
        assertThat(overrideOf(list, dev(org)).path("credits").asText()).isEqualTo("26.125");

        TestServer.Response del = server.delete(override(org, SA), OP);
        assertStatus(del, 204);
        assertThat(del.body()).isEmpty();
        list = server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("memberId").asText()).isEqualTo(dev(org));
    }

    private static JsonNode overrideOf(JsonNode list, String memberId) {
        for (JsonNode o : list) if (o.path("memberId").asText().equals(memberId)) return o;
        throw new AssertionError("no override of " + memberId + " in " + list);
    }

    @Test
    void nullCreditsIsAnExplicitUnlimitedOverride() {
        String org = newOrg("bud-ovr-null");
        putBudgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        TestServer.Response put = server.put(override(org, dev(org)), OP, "{\"credits\": null}");
        assertStatus(put, 200);
        assertThat(put.json().path("credits").isNull()).isTrue();
        JsonNode list = server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("memberId").asText()).isEqualTo(dev(org));
        assertThat(list.get(0).has("credits")).isTrue();
        assertThat(list.get(0).path("credits").isNull()).isTrue();

        spend(server, "bud-ovr-null-1", org, dev(org), "bud-unit", 20);
        spend(server, "bud-ovr-null-2", org, ana(org), "bud-unit", 20);
        // The override makes dev unlimited; ana is held to the default of 10.
        JsonNode devAuth = authorize(org, dev(org));
        assertThat(devAuth.path("allowed").asBoolean()).isTrue();
        assertThat(devAuth.path("remaining").path("memberBudget").isNull()).isTrue();
        JsonNode anaAuth = authorize(org, ana(org));
        assertThat(anaAuth.path("reason").asText()).isEqualTo("MEMBER_BUDGET_EXHAUSTED");
        assertThat(anaAuth.path("remaining").path("memberBudget").asText()).isEqualTo("-10.00");
    }

    @Test
    void overridesTakePrecedenceInheritEnforcementAndDeleteFallsBackToTheDefault() {
        String org = newOrg("bud-ovr-eff");
        putBudgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        spend(server, "bud-ovr-eff-1", org, dev(org), "bud-unit", 15);
        assertThat(authorize(org, dev(org)).path("reason").asText()).isEqualTo("MEMBER_BUDGET_EXHAUSTED");

        assertStatus(server.put(override(org, dev(org)), OP, "{\"credits\": \"20\"}"), 200);
        JsonNode raised = authorize(org, dev(org));
        assertThat(raised.path("allowed").asBoolean()).isTrue();
        assertThat(raised.path("remaining").path("memberBudget").asText()).isEqualTo("5.00");

        // A lower override is enforced too: enforcement comes from the default member budget.
        assertStatus(server.put(override(org, ana(org)), OP, "{\"credits\": \"3\"}"), 200);
        spend(server, "bud-ovr-eff-2", org, ana(org), "bud-unit", 3);
        JsonNode ana = authorize(org, ana(org));
        assertThat(ana.path("reason").asText()).isEqualTo("MEMBER_BUDGET_EXHAUSTED");
        assertThat(ana.path("remaining").path("memberBudget").asText()).isEqualTo("0.00");

        // Turning enforcement off on the default turns it off for the overrides.
        putBudgets(org, "{\"defaultMember\": {\"enforce\": false}}");
        assertThat(authorize(org, ana(org)).path("allowed").asBoolean()).isTrue();
        putBudgets(org, "{\"defaultMember\": {\"enforce\": true}}");

        assertStatus(server.delete(override(org, dev(org)), OP), 204);
        JsonNode fallen = authorize(org, dev(org));
        assertThat(fallen.path("reason").asText()).isEqualTo("MEMBER_BUDGET_EXHAUSTED");
        assertThat(fallen.path("remaining").path("memberBudget").asText()).isEqualTo("-5.00");
    }

    @Test
    void deletingWithoutAnOverrideIs404OverrideNotFound() {
        String org = newOrg("bud-ovr-none");
        assertError(server.delete(override(org, dev(org)), OP), 404, "OVERRIDE_NOT_FOUND");
        assertStatus(server.put(override(org, dev(org)), OP, "{\"credits\": \"1\"}"), 200);
        assertStatus(server.delete(override(org, dev(org)), OP), 204);
        assertError(server.delete(override(org, dev(org)), OP), 404, "OVERRIDE_NOT_FOUND");
    }

    @Test
    void overridesOfAnUnknownMemberAre404() {
        String org = newOrg("bud-ovr-unknown");
        assertError(server.put(override(org, "ghost@nowhere.example"), OP, "{\"credits\": \"5\"}"), 404, "MEMBER_NOT_FOUND");
        assertError(server.delete(override(org, "ghost@nowhere.example"), OP), 404, "MEMBER_NOT_FOUND");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides")).isEmpty();
    }

    @Test
    void overrideBodiesAreValidated() {
        String org = newOrg("bud-ovr-bad");
        assertFieldError(server.put(override(org, dev(org)), OP, "{}"), 400, "MISSING_FIELD", "credits");
        assertFieldError(server.put(override(org, dev(org)), OP, "{\"credits\": \"-2\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.put(override(org, dev(org)), OP, "{\"credits\": \"lots\"}"), 400, "VALIDATION_ERROR", "credits");
        assertFieldError(server.put(override(org, dev(org)), OP, "{\"credits\": \"5\", \"enforce\": true}"), 400, "UNKNOWN_FIELD", "enforce");
        assertError(server.put(override(org, dev(org)), OP, "{\"credits\": "), 400, "MALFORMED_JSON");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides")).isEmpty();
    }

    @Test
    void deletingAMemberDropsItsOverride() {
        String org = newOrg("bud-ovr-delmember");
        putBudgets(org, "{\"defaultMember\": {\"credits\": \"10\", \"enforce\": true}}");
        assertStatus(server.put(override(org, ana(org)), OP, "{\"credits\": \"500\"}"), 200);
        assertStatus(server.delete("/v1/orgs/" + org + "/members/" + enc(ana(org)), OP), 204);
        assertThat(server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides"))
                .as("overrides after the member was deleted").isEmpty();
        // A new member with the same id starts on the default budget.
        member(server, org, ana(org), "member");
        assertThat(authorize(org, ana(org)).path("remaining").path("memberBudget").asText()).isEqualTo("10.00");
    }

    // ---- restrictions ----

    @Test
    void restrictionsDefaultToEverythingAllowed() {
        String org = newOrg("bud-rst-default");
        JsonNode r = server.op("GET", "/v1/orgs/" + org + "/restrictions", null);
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.path("models").isNull()).isTrue();
        assertThat(r.path("activities").isNull()).isTrue();
        JsonNode m = server.op("GET", "/v1/orgs/" + org + "/members/" + enc(SA) + "/restrictions", null);
        assertThat(m.path("models").isNull()).isTrue();
        assertThat(m.path("activities").isNull()).isTrue();
    }

    @Test
    void orgRestrictionsArePutAndReadBack() {
        String org = newOrg("bud-rst-org");
        TestServer.Response put = server.put("/v1/orgs/" + org + "/restrictions", OP, """
                {"models": ["zeta", "alpha", "org/slash-model"], "activities": ["chat", "code_review"]}""");
        assertStatus(put, 200);
        assertThat(put.json().path("models")).extracting(JsonNode::asText).containsExactly("alpha", "org/slash-model", "zeta");
        assertThat(put.json().path("activities")).extracting(JsonNode::asText).containsExactly("chat", "code_review");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/restrictions", null)).isEqualTo(put.json());
        // The member's own list is untouched by the org's.
        assertThat(server.op("GET", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", null).path("models").isNull()).isTrue();

        // A PUT replaces both lists: an absent list allows everything.
        JsonNode onlyActivities = server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{\"activities\": [\"agent\"]}");
        assertThat(onlyActivities.path("models").isNull()).isTrue();
        assertThat(onlyActivities.path("activities")).extracting(JsonNode::asText).containsExactly("agent");
        JsonNode cleared = server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{}");
        assertThat(cleared.path("models").isNull()).isTrue();
        assertThat(cleared.path("activities").isNull()).isTrue();
        assertThat(server.op("GET", "/v1/orgs/" + org + "/restrictions", null)).isEqualTo(cleared);
    }

    @Test
    void anEmptyAllowListAllowsNothing() {
        String org = newOrg("bud-rst-empty");
        JsonNode r = server.op("PUT", "/v1/orgs/" + org + "/restrictions", "{\"models\": []}");
        assertThat(r.path("models").isArray()).isTrue();
        assertThat(r.path("models")).isEmpty();
        assertThat(server.op("GET", "/v1/orgs/" + org + "/restrictions", null).path("models")).isEmpty();
        assertThat(authorize(org, dev(org)).path("reason").asText()).isEqualTo("MODEL_NOT_ALLOWED");
    }

    @Test
    void memberRestrictionsArePutAndReadBack() {
        String org = newOrg("bud-rst-member");
        String path = "/v1/orgs/" + org + "/members/" + enc(SA) + "/restrictions";
        TestServer.Response put = server.put(path, OP, "{\"models\": [\"bud-unit\"], \"activities\": [\"cli_agent\", \"agent\"]}");
        assertStatus(put, 200);
        assertThat(put.json().path("models")).extracting(JsonNode::asText).containsExactly("bud-unit");
        assertThat(put.json().path("activities")).extracting(JsonNode::asText).containsExactly("agent", "cli_agent");
        assertThat(server.op("GET", path, null)).isEqualTo(put.json());
        // Other members and the org are unaffected.
        JsonNode orgR = server.op("GET", "/v1/orgs/" + org + "/restrictions", null);
        assertThat(orgR.path("models").isNull()).isTrue();
        assertThat(orgR.path("activities").isNull()).isTrue();
        assertThat(server.op("GET", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", null).path("activities").isNull()).isTrue();
    }

    @Test
    void restrictionsAreValidated() {
        String org = newOrg("bud-rst-bad");
        String orgPath = "/v1/orgs/" + org + "/restrictions";
        assertFieldError(server.put(orgPath, OP, "{\"models\": \"alpha\"}"), 400, "VALIDATION_ERROR", "models");
        assertFieldError(server.put(orgPath, OP, "{\"models\": [\"alpha\", 3]}"), 400, "VALIDATION_ERROR", "models");
        assertFieldError(server.put(orgPath, OP, "{\"activities\": {\"chat\": true}}"), 400, "VALIDATION_ERROR", "activities");
        assertFieldError(server.put(orgPath, OP, "{\"model\": [\"alpha\"]}"), 400, "UNKNOWN_FIELD", "model");
        assertError(server.put(orgPath, OP, "{"), 400, "MALFORMED_JSON");
        assertThat(server.op("GET", orgPath, null).path("models").isNull()).isTrue();
        String ghost = "/v1/orgs/" + org + "/members/" + enc("ghost@nowhere.example") + "/restrictions";
        assertError(server.put(ghost, OP, "{\"models\": [\"alpha\"]}"), 404, "MEMBER_NOT_FOUND");
        assertError(server.get(ghost, OP), 404, "MEMBER_NOT_FOUND");
    }

    // ---- who may call ----

    @Test
    void theOrgsAdminMayManageBudgetsOverridesAndRestrictions() {
        String org = newOrg("bud-auth-admin");
        member(server, org, "boss@" + org + ".example", "admin");
        String admin = key(server, org, "admin", "boss@" + org + ".example");
        TestServer.Response put = server.put(budgets(org), admin, "{\"org\": {\"credits\": \"80\", \"enforce\": true}}");
        assertStatus(put, 200);
        assertThat(put.json().path("org").path("credits").asText()).isEqualTo("80.00");
        assertStatus(server.get(budgets(org), admin), 200);
        assertStatus(server.put(override(org, dev(org)), admin, "{\"credits\": \"8\"}"), 200);
        assertStatus(server.get("/v1/orgs/" + org + "/budgets/members", admin), 200);
        assertStatus(server.delete(override(org, dev(org)), admin), 204);
        assertStatus(server.put("/v1/orgs/" + org + "/restrictions", admin, "{\"models\": [\"bud-unit\"]}"), 200);
        assertStatus(server.get("/v1/orgs/" + org + "/restrictions", admin), 200);
        assertStatus(server.put("/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", admin, "{\"activities\": [\"chat\"]}"), 200);
        assertStatus(server.get("/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", admin), 200);
        // An org-wide admin key (no member) works as well.
        String orgAdmin = key(server, org, "admin", null);
        assertStatus(server.get(budgets(org), orgAdmin), 200);
    }

    @Test
    void otherOrgsAdminsAndMembersAre403WithoutAKey401() {
        String org = newOrg("bud-auth-deny");
        String other = newOrg("bud-auth-other");
        String otherAdmin = key(server, other, "admin", null);
        String memberKey = key(server, org, "member", dev(org));
        putBudgets(org, "{\"org\": {\"credits\": \"42\"}}");
        assertStatus(server.put(override(org, ana(org)), OP, "{\"credits\": \"4\"}"), 200);
        JsonNode before = getBudgets(org);

        String[][] calls = {
                {"GET", budgets(org), null},
                {"PUT", budgets(org), "{\"org\": {\"credits\": \"1\"}}"},
                {"GET", "/v1/orgs/" + org + "/budgets/members", null},
                {"PUT", override(org, dev(org)), "{\"credits\": \"1\"}"},
                {"DELETE", override(org, ana(org)), null},
                {"GET", "/v1/orgs/" + org + "/restrictions", null},
                {"PUT", "/v1/orgs/" + org + "/restrictions", "{\"models\": []}"},
                {"GET", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", null},
                {"PUT", "/v1/orgs/" + org + "/members/" + enc(dev(org)) + "/restrictions", "{\"models\": []}"},
        };
        for (String[] c : calls) {
            assertError(server.call(c[0], c[1], otherAdmin, c[2]), 403, "FORBIDDEN");
            assertError(server.call(c[0], c[1], memberKey, c[2]), 403, "FORBIDDEN");
            assertError(server.call(c[0], c[1], null, c[2]), 401, "UNAUTHENTICATED");
            assertError(server.call(c[0], c[1], "not-a-key", c[2]), 401, "UNAUTHENTICATED");
        }
        assertError(raw(server, "GET", budgets(org), "Basic abc"), 401, "UNAUTHENTICATED");
        // Another org's admin learns nothing about whether an org exists.
        assertError(server.get(budgets("bud-never-created"), otherAdmin), 403, "FORBIDDEN");
        // Nothing changed.
        assertThat(getBudgets(org)).isEqualTo(before);
        assertThat(server.op("GET", "/v1/orgs/" + org + "/budgets/members", null).path("overrides")).hasSize(1);
        assertThat(server.op("GET", "/v1/orgs/" + org + "/restrictions", null).path("models").isNull()).isTrue();
    }
}
