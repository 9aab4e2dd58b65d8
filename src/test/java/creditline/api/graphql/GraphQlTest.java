package creditline.api.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.http.Json;
import creditline.testing.TestServer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reference queries verbatim, auth, errors and mutations, over HTTP against the real server. */
class GraphQlTest {
    static TestServer server;
    static String adminKey;
    static String otherAdminKey;
    static String memberKey;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        server.op("PUT", "/v1/plans/free", "{\"name\":\"Free\",\"monthlyPrice\":{\"amount\":\"0\",\"currency\":\"USD\"},\"creditsIncluded\":\"500\","
                + "\"tokensIncluded\":10000,\"overage\":\"block\",\"features\":[\"Evaluation\"]}");
        server.op("PUT", "/v1/plans/pro", "{\"name\":\"Pro\",\"monthlyPrice\":{\"amount\":\"149.00\",\"currency\":\"USD\"},\"creditsIncluded\":\"10000\","
                + "\"tokensIncluded\":2000000,\"overage\":\"allow\",\"features\":[\"Priority support\",\"Team collaboration\"]}");
        server.op("PUT", "/v1/models/claude-sonnet", "{\"name\":\"Claude Sonnet\",\"provider\":\"anthropic\",\"rates\":{\"creditInputPer1M\":\"300\","
                + "\"creditOutputPer1M\":\"1500\",\"creditCacheWritePer1M\":\"375\",\"creditCacheReadPer1M\":\"30\"}}");
        server.op("PUT", "/v1/models/gpt-5", "{\"name\":\"GPT-5\",\"provider\":\"openai\",\"rates\":{\"creditInputPer1M\":\"125\","
                + "\"creditOutputPer1M\":\"1000\",\"creditCachedInputPer1M\":\"12.5\"}}");
        server.op("POST", "/v1/orgs", "{\"id\":\"team-1\",\"name\":\"Team 1\",\"planId\":\"pro\"}");
        server.op("POST", "/v1/orgs", "{\"id\":\"team-2\",\"name\":\"Team 2\",\"planId\":\"free\"}");
        server.op("PUT", "/v1/orgs/team-1/members/ada@t1.io", "{\"role\":\"admin\"}");
        server.op("PUT", "/v1/orgs/team-1/members/SA%20ci", "{}");
        adminKey = server.op("POST", "/v1/orgs/team-1/keys", "{\"role\":\"admin\",\"memberId\":\"ada@t1.io\"}").path("key").asText();
        otherAdminKey = server.op("POST", "/v1/orgs/team-2/keys", "{\"role\":\"admin\"}").path("key").asText();
        memberKey = server.op("POST", "/v1/orgs/team-1/keys", "{\"role\":\"member\",\"memberId\":\"SA ci\"}").path("key").asText();
        server.op("POST", "/v1/usage", "{\"id\":\"u1\",\"orgId\":\"team-1\",\"memberId\":\"ada@t1.io\",\"model\":\"claude-sonnet\","
                + "\"activity\":\"chat\",\"tokens\":{\"input\":1000000,\"output\":100000}}");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static JsonNode graphql(String key, String query, Map<String, Object> variables) {
        String body = new String(Json.write(Map.of("query", query, "variables", variables)), java.nio.charset.StandardCharsets.UTF_8);
        TestServer.Response r = server.post("/graphql", key, body);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void availablePlansAsInTheReference() {
        JsonNode r = graphql(null, """
                query {
                availablePlans {
                id
                name
                monthlyPrice
                creditsIncluded
                tokensIncluded
                features
                }
                }""", Map.of());
        assertThat(r.has("errors")).as(r.toString()).isFalse();
        JsonNode plans = r.path("data").path("availablePlans");
        assertThat(plans).hasSize(2);
        JsonNode pro = plans.get(1);
        assertThat(pro.path("id").asText()).isEqualTo("pro");
        assertThat(pro.path("monthlyPrice").asText()).isEqualTo("149.00");
        assertThat(pro.path("creditsIncluded").asText()).isEqualTo("10000.00");
        assertThat(pro.path("tokensIncluded").asLong()).isEqualTo(2_000_000);
        assertThat(pro.path("features").get(1).asText()).isEqualTo("Team collaboration");
    }

    @Test
    void teamSubscriptionAsInTheReference() {
        String query = """
                query($teamId: ID!) {
                teamSubscription(teamId: $teamId) {
                plan
                status
                usage {
                creditsUsed
                creditsLimit
                percentUsed
                totalTokensUsed
                }
                }
                }""";
        JsonNode r = graphql(adminKey, query, Map.of("teamId", "team-1"));
        assertThat(r.has("errors")).as(r.toString()).isFalse();
        JsonNode sub = r.path("data").path("teamSubscription");
        assertThat(sub.path("plan").asText()).isEqualTo("pro");
        assertThat(sub.path("status").asText()).isEqualTo("active");
        // 1M input at 300 + 100k output at 1500 = 450 credits of 10,000.
        assertThat(sub.path("usage").path("creditsUsed").asText()).isEqualTo("450.00");
        assertThat(sub.path("usage").path("creditsLimit").asText()).isEqualTo("10000.00");
        assertThat(sub.path("usage").path("percentUsed").decimalValue()).isEqualByComparingTo("4.5");
        assertThat(sub.path("usage").path("totalTokensUsed").asLong()).isEqualTo(1_100_000);
        // The operator may read it too; the REST answer is the same.
        JsonNode viaRest = server.get("/v1/orgs/team-1/subscription", adminKey).json();
        assertThat(viaRest.path("usage").path("creditsUsed").asText()).isEqualTo("450.00");
        assertThat(graphql(TestServer.OPERATOR_KEY, query, Map.of("teamId", "team-1")).has("errors")).isFalse();
    }

    @Test
    void availableBaseModelsAsInTheReference() {
        JsonNode r = graphql(null, """
                query {
                availableBaseModels {
                name
                provider
                creditInputPer1M
                creditOutputPer1M
                creditCachedInputPer1M
                creditCacheReadPer1M
                creditCacheWritePer1M
                }
                }""", Map.of());
        assertThat(r.has("errors")).as(r.toString()).isFalse();
        JsonNode models = r.path("data").path("availableBaseModels");
        assertThat(models).hasSize(2);
        JsonNode sonnet = models.get(0);
        assertThat(sonnet.path("name").asText()).isEqualTo("Claude Sonnet");
        assertThat(sonnet.path("creditCacheWritePer1M").asText()).isEqualTo("375.00");
        assertThat(sonnet.path("creditCachedInputPer1M").isNull()).isTrue();
        assertThat(models.get(1).path("creditCachedInputPer1M").asText()).isEqualTo("12.50");
    }

    @Test
    void privateQueriesNeedAKeyOfTheOrg() {
        String query = "query($t: ID!) { teamSubscription(teamId: $t) { plan } }";
        assertThat(code(graphql(null, query, Map.of("t", "team-1")))).isEqualTo("UNAUTHENTICATED");
        assertThat(code(graphql("not-a-key", query, Map.of("t", "team-1")))).isEqualTo("UNAUTHENTICATED");
        assertThat(code(graphql(otherAdminKey, query, Map.of("t", "team-1")))).isEqualTo("FORBIDDEN");
        assertThat(code(graphql(otherAdminKey, query, Map.of("t", "no-such-team")))).as("no existence leak").isEqualTo("FORBIDDEN");
        assertThat(code(graphql(memberKey, query, Map.of("t", "team-1")))).isEqualTo("FORBIDDEN");
        assertThat(code(graphql(TestServer.OPERATOR_KEY, query, Map.of("t", "no-such-team")))).isEqualTo("ORG_NOT_FOUND");
        // A bad key does not hide public data.
        JsonNode mixed = graphql("not-a-key", "{ availablePlans { id } }", Map.of());
        assertThat(mixed.path("data").path("availablePlans")).hasSize(2);
    }

    @Test
    void budgetsMutationsAndMembers() {
        JsonNode set = graphql(adminKey, """
                mutation { setBudgets(orgId: "team-1", input: {org: {credits: "5000", enforce: true}, defaultMember: {credits: "100", notify: true, alertPercent: 90}}) {
                  org { credits enforce notify alertPercent } defaultMember { credits enforce notify alertPercent } } }""", Map.of());
        assertThat(set.has("errors")).as(set.toString()).isFalse();
        assertThat(set.path("data").path("setBudgets").path("org").path("credits").asText()).isEqualTo("5000.00");
        assertThat(set.path("data").path("setBudgets").path("defaultMember").path("alertPercent").asInt()).isEqualTo(90);
        assertThat(server.get("/v1/orgs/team-1/budgets", adminKey).json().path("org").path("enforce").asBoolean()).isTrue();

        JsonNode override = graphql(adminKey, "mutation($m: ID!) { setMemberBudget(orgId: \"team-1\", memberId: $m, credits: \"250.5\") { memberId override credits } }",
                Map.of("m", "SA ci"));
        assertThat(override.path("data").path("setMemberBudget").path("credits").asText()).isEqualTo("250.50");
        JsonNode members = graphql(adminKey, "{ members(orgId: \"team-1\") { memberId type override credits enforce } }", Map.of());
        assertThat(members.path("data").path("members")).hasSize(2);
        assertThat(members.path("data").path("members").get(0).path("type").asText()).isEqualTo("service_account");
        assertThat(members.path("data").path("members").get(1).path("credits").asText()).isEqualTo("100.00");
        JsonNode cleared = graphql(adminKey, "mutation { clearMemberBudget(orgId: \"team-1\", memberId: \"SA ci\") { override credits } }", Map.of());
        assertThat(cleared.path("data").path("clearMemberBudget").path("override").asBoolean()).isFalse();
        // As REST's DELETE: clearing an override that is not there says so.
        assertThat(code(graphql(adminKey, "mutation { clearMemberBudget(orgId: \"team-1\", memberId: \"SA ci\") { override } }", Map.of())))
                .isEqualTo("OVERRIDE_NOT_FOUND");

        for (int outside : new int[] {0, -1, 101}) {
            assertThat(code(graphql(adminKey, "mutation { setBudgets(orgId: \"team-1\", input: {org: {alertPercent: " + outside + "}}) { org { alertPercent } } }",
                    Map.of()))).isEqualTo("VALIDATION_ERROR");
        }
        assertThat(code(graphql(adminKey, "mutation { setMemberBudget(orgId: \"team-1\", memberId: \"ghost@t1.io\", credits: \"1\") { memberId } }", Map.of())))
                .isEqualTo("MEMBER_NOT_FOUND");
        assertThat(code(graphql(adminKey, "mutation { setMemberBudget(orgId: \"team-1\", memberId: \"SA ci\") { credits } }", Map.of())))
                .as("no credits is not unlimited: that is credits: null").isEqualTo("MISSING_FIELD");
        assertThat(code(graphql(otherAdminKey, "mutation { clearMemberBudget(orgId: \"team-1\", memberId: \"SA ci\") { memberId } }", Map.of())))
                .isEqualTo("FORBIDDEN");
    }

    @Test
    void balanceAndNotifications() {
        JsonNode r = graphql(adminKey, "{ balance(orgId: \"team-1\") { credits reserved available } notifications(orgId: \"team-1\") { kind } }", Map.of());
        assertThat(r.has("errors")).as(r.toString()).isFalse();
        assertThat(r.path("data").path("balance").path("credits").asText()).isEqualTo(server.get("/v1/orgs/team-1/balance", adminKey).json().path("credits").asText());
    }

    @Test
    void malformedQueriesAndBodies() {
        JsonNode r = graphql(null, "{ availablePlans { nope } }", Map.of());
        assertThat(r.path("errors").get(0).path("message").asText()).contains("nope");
        assertThat(code(r)).isEqualTo("VALIDATION_ERROR");
        assertThat(r.path("errors").get(0).path("extensions").path("classification").asText()).isEqualTo("ValidationError");
        JsonNode syntax = graphql(null, "{ availablePlans { ", Map.of());
        assertThat(code(syntax)).as(syntax.toString()).isEqualTo("VALIDATION_ERROR");
        JsonNode variables = graphql(TestServer.OPERATOR_KEY, "query($t: ID!) { teamSubscription(teamId: $t) { plan { id } } }", Map.of());
        assertThat(code(variables)).as(variables.toString()).isEqualTo("VALIDATION_ERROR");
        assertThat(server.post("/graphql", null, "{\"variables\": {}}").errorCode()).isEqualTo("MISSING_FIELD");
        assertThat(server.post("/graphql", null, "not json").errorCode()).isEqualTo("MALFORMED_JSON");
        TestServer.Response schema = server.get("/graphql/schema", null);
        assertThat(schema.status()).isEqualTo(200);
        assertThat(schema.body()).contains("availablePlans: [Plan!]!").contains("teamSubscription(teamId: ID!)");
    }

    /** A fresh org with one member, so mutations here leave the shared org alone. */
    static void orgWithMember(String orgId) {
        server.op("POST", "/v1/orgs", "{\"id\":\"" + orgId + "\",\"name\":\"" + orgId + "\",\"planId\":\"pro\"}");
        server.op("PUT", "/v1/orgs/" + orgId + "/members/m1@t.io", "{}");
    }

    static JsonNode setMemberBudgetInline(String orgId, String credits) {
        return graphql(TestServer.OPERATOR_KEY, "mutation { setMemberBudget(orgId: \"" + orgId + "\", memberId: \"m1@t.io\", credits: " + credits + ") { credits } }", Map.of());
    }

    static JsonNode setMemberBudgetVariable(String orgId, Object credits) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("c", credits);
        return graphql(TestServer.OPERATOR_KEY, "mutation($c: Decimal) { setMemberBudget(orgId: \"" + orgId + "\", memberId: \"m1@t.io\", credits: $c) { credits } }", variables);
    }

    static JsonNode setOrgBudgetInline(String orgId, String credits) {
        return graphql(TestServer.OPERATOR_KEY, "mutation { setBudgets(orgId: \"" + orgId + "\", input: {org: {credits: " + credits + "}}) { org { credits } } }", Map.of());
    }

    static String message(JsonNode result) {
        return result.path("errors").get(0).path("message").asText();
    }

    @Test
    void badDecimalsAreValidationErrorsInlineAndAsVariables() {
        orgWithMember("gql-decimals");
        for (String bad : List.of("abc", "", "  ", "NaN", "1_000", "1e", "1E400000000", "1E-400000000")) {
            String inline = "\"" + bad + "\"";
            for (JsonNode r : List.of(setMemberBudgetInline("gql-decimals", inline), setMemberBudgetVariable("gql-decimals", bad), setOrgBudgetInline("gql-decimals", inline))) {
                assertThat(code(r)).as(bad + ": " + r).isEqualTo("VALIDATION_ERROR");
                assertThat(message(r)).as(bad).contains(inline);
            }
        }
        // Read as REST reads them: ASCII digits only, and nothing but spaces around them.
        for (String bad : List.of("\u0661\u0662", "5\u0000")) {
            assertThat(code(setMemberBudgetVariable("gql-decimals", bad))).as(bad).isEqualTo("VALIDATION_ERROR");
        }
        for (String bad : List.of("\"-5\"", "-5", "-0.000001", "\"1.1234567\"", "1.1234567")) {
            assertThat(code(setMemberBudgetInline("gql-decimals", bad))).as(bad).isEqualTo("VALIDATION_ERROR");
            assertThat(code(setOrgBudgetInline("gql-decimals", bad))).as(bad).isEqualTo("VALIDATION_ERROR");
        }
        assertThat(message(setMemberBudgetInline("gql-decimals", "\"-5\""))).isEqualTo("credits must not be negative");
        assertThat(code(setMemberBudgetVariable("gql-decimals", -5))).isEqualTo("VALIDATION_ERROR");
        assertThat(message(setMemberBudgetVariable("gql-decimals", "1.1234567"))).isEqualTo("credits: at most 6 fractional digits are allowed, got 1.1234567");
        // Exponents are numbers, as in REST; nothing bad was stored.
        assertThat(server.get("/v1/orgs/gql-decimals/budgets/members", TestServer.OPERATOR_KEY).json().path("overrides")).isEmpty();
        assertThat(setMemberBudgetInline("gql-decimals", "\"1e3\"").path("data").path("setMemberBudget").path("credits").asText()).isEqualTo("1000.00");
        assertThat(setMemberBudgetInline("gql-decimals", "2.5E2").path("data").path("setMemberBudget").path("credits").asText()).isEqualTo("250.00");
    }

    @Test
    void anIdIsAStringOrAnIntegerAsVariableAndInline() {
        orgWithMember("gql-ids");
        String query = "query($t: ID!) { teamSubscription(teamId: $t) { plan } }";
        for (Object bad : List.of(Map.of("a", 1), List.of("gql-ids"), true, 1.5)) {
            JsonNode r = graphql(TestServer.OPERATOR_KEY, query, Map.of("t", bad));
            assertThat(code(r)).as(bad + ": " + r).isEqualTo("VALIDATION_ERROR");
            assertThat(message(r)).as(bad.toString()).contains("ID must be a string or an integer").doesNotContain("{a=1}");
        }
        JsonNode member = graphql(TestServer.OPERATOR_KEY, "mutation($m: ID!) { setMemberBudget(orgId: \"gql-ids\", memberId: $m, credits: \"1\") { memberId } }",
                Map.of("m", List.of("m1@t.io")));
        assertThat(code(member)).isEqualTo("VALIDATION_ERROR");
        assertThat(server.get("/v1/orgs/gql-ids/budgets/members", TestServer.OPERATOR_KEY).json().path("overrides")).isEmpty();
        assertThat(code(graphql(TestServer.OPERATOR_KEY, "{ balance(orgId: {a: 1}) { credits } }", Map.of()))).isEqualTo("VALIDATION_ERROR");
        // A string, and an integer taken as its digits, are ids (the org "42" does not exist: the id was read).
        assertThat(graphql(TestServer.OPERATOR_KEY, query, Map.of("t", "gql-ids")).path("data").path("teamSubscription").path("plan").asText())
                .isNotEmpty();
        assertThat(code(graphql(TestServer.OPERATOR_KEY, query, Map.of("t", 42)))).isEqualTo("ORG_NOT_FOUND");
        assertThat(code(graphql(TestServer.OPERATOR_KEY, "{ balance(orgId: 42) { credits } }", Map.of()))).isEqualTo("ORG_NOT_FOUND");
    }

    @Test
    void creditsAboveTheCapAreRefusedAsInRest() {
        orgWithMember("gql-cap");
        JsonNode budgetsBefore = server.get("/v1/orgs/gql-cap/budgets", TestServer.OPERATOR_KEY).json();
        TestServer.Response rest = server.put("/v1/orgs/gql-cap/budgets/members/m1@t.io", TestServer.OPERATOR_KEY, "{\"credits\":\"1000000000.5\"}");
        assertThat(rest.errorCode()).isEqualTo("VALUE_TOO_LARGE");
        String restMessage = rest.json().path("error").path("message").asText();
        List<JsonNode> refused = List.of(
                setMemberBudgetInline("gql-cap", "\"1000000000.5\""),
                setMemberBudgetInline("gql-cap", "1000000000.5"),
                setMemberBudgetVariable("gql-cap", "1000000000.5"),
                setOrgBudgetInline("gql-cap", "\"1000000000.5\""),
                graphql(TestServer.OPERATOR_KEY, "mutation($i: BudgetsInput!) { setBudgets(orgId: \"gql-cap\", input: $i) { org { credits } } }",
                        Map.of("i", Map.of("org", Map.of("enforce", true), "defaultMember", Map.of("credits", "1000000000.5")))));
        for (JsonNode r : refused) {
            assertThat(code(r)).as(r.toString()).isEqualTo("VALUE_TOO_LARGE");
            assertThat(message(r)).isEqualTo(restMessage);
        }
        assertThat(message(setMemberBudgetInline("gql-cap", "\"1e10\""))).isEqualTo("credits must be at most 1000000000 credits, got 10000000000");
        assertThat(server.get("/v1/orgs/gql-cap/budgets/members", TestServer.OPERATOR_KEY).json().path("overrides")).isEmpty();
        assertThat(server.get("/v1/orgs/gql-cap/budgets", TestServer.OPERATOR_KEY).json()).isEqualTo(budgetsBefore);
        // The cap itself is allowed.
        assertThat(setMemberBudgetInline("gql-cap", "\"1000000000\"").path("data").path("setMemberBudget").path("credits").asText()).isEqualTo("1000000000.00");
    }

    @Test
    void errorMessagesShowValuesAsWrittenWithoutJavaNames() {
        orgWithMember("gql-words");
        List<JsonNode> errors = List.of(
                setMemberBudgetInline("gql-words", "true"),
                setMemberBudgetInline("gql-words", "[12]"),
                setMemberBudgetInline("gql-words", "{amount: 12}"),
                graphql(TestServer.OPERATOR_KEY, "mutation { setBudgets(orgId: \"gql-words\", input: {org: {enforce: 12}}) { org { enforce } } }", Map.of()),
                graphql(TestServer.OPERATOR_KEY, "{ notifications(orgId: \"gql-words\", limit: \"12\") { kind } }", Map.of()),
                graphql(TestServer.OPERATOR_KEY, "mutation($i: BudgetsInput!) { setBudgets(orgId: \"gql-words\", input: $i) { org { enforce } } }",
                        Map.of("i", Map.of("org", Map.of("enforce", 12)))),
                setMemberBudgetVariable("gql-words", List.of(12)));
        for (JsonNode r : errors) {
            assertThat(code(r)).as(r.toString()).isEqualTo("VALIDATION_ERROR");
            assertThat(message(r)).as(r.toString()).doesNotContainPattern("[A-Z][a-z]+Value|BigInteger|BigDecimal|ArrayList|Map\\b|AST");
        }
        assertThat(message(errors.get(0))).contains("'true'");
        assertThat(message(errors.get(1))).contains("got [12]");
        assertThat(message(errors.get(2))).contains("got {amount : 12}");
        assertThat(message(errors.get(3))).contains("'input.org.enforce' with value '12'");
        assertThat(message(errors.get(4))).contains("'limit' with value '\"12\"'");
        assertThat(message(errors.get(5))).endsWith("Expected a Boolean input, but it was a 'number'");
        assertThat(message(errors.get(6))).endsWith("got [12]");
    }

    @Test
    void aQueryHasABoundedNumberOfFields() {
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 2_000; i++) many.append(" p").append(i).append(": availablePlans { id }");
        JsonNode r = graphql(null, many.append(" }").toString(), Map.of());
        assertThat(r.has("data") && !r.path("data").isNull() && r.path("data").size() > 0).as(r.toString()).isFalse();
        assertThat(code(r)).isEqualTo("VALIDATION_ERROR");
        assertThat(r.path("errors").get(0).path("message").asText()).containsIgnoringCase("complexity");
        // The reference queries are far below the bound.
        assertThat(graphql(null, "{ a: availablePlans { id name } b: availableBaseModels { id } }", Map.of()).has("errors")).isFalse();
    }

    static String code(JsonNode result) {
        return result.path("errors").get(0).path("extensions").path("code").asText();
    }
}
