package creditline.api.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import creditline.api.http.Json;
import creditline.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code orgUsage}: the same summary and member table as REST, the same roles and error codes. */
class GraphQlOrgUsageTest {
    private static final String RANGE = "from=2026-11-01&to=2026-11-16";
    private static final String SUMMARY_FIELDS = """
            orgId from to days creditsConsumed avgCreditsPerDay events nominalCredits
            tokens { input output cacheWrite cacheRead }
            byModel { model credits events percent } byActivity { activity credits events percent }
            byAgent { agent credits events percent } daily { date credits events }""";
    private static final String ROW_FIELDS = """
            memberId current credits events byModel { model credits events percent }
            budget budgetEnforced budgetConsumed usagePercent""";

    static TestServer server;
    static String adminKey;
    static String memberKey;
    static String otherAdminKey;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        server.op("PUT", "/v1/plans/team", "{\"name\":\"Team\",\"monthlyPrice\":{\"amount\":\"10.00\",\"currency\":\"USD\"},\"creditsIncluded\":\"100000\",\"overage\":\"allow\"}");
        server.op("PUT", "/v1/models/big", "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"creditInputPer1M\":\"300\",\"creditOutputPer1M\":\"1500\"}}");
        server.op("PUT", "/v1/models/small", "{\"effectiveFrom\":\"2026-01-01T00:00:00Z\",\"rates\":{\"creditInputPer1M\":\"12.5\",\"creditPerRequest\":\"0.01\"}}");
        for (String org : new String[] {"usage-org", "other-org"}) server.op("POST", "/v1/orgs", "{\"id\":\"" + org + "\",\"planId\":\"team\"}");
        for (String m : new String[] {"ada@u.io", "bob@u.io", "SA ci"}) server.op("PUT", "/v1/orgs/usage-org/members/" + m.replace(" ", "%20"), "{}");
        adminKey = server.op("POST", "/v1/orgs/usage-org/keys", "{\"role\":\"admin\"}").path("key").asText();
        memberKey = server.op("POST", "/v1/orgs/usage-org/keys", "{\"role\":\"member\",\"memberId\":\"bob@u.io\"}").path("key").asText();
        otherAdminKey = server.op("POST", "/v1/orgs/other-org/keys", "{\"role\":\"admin\"}").path("key").asText();
        server.op("PUT", "/v1/orgs/usage-org/budgets", "{\"defaultMember\":{\"credits\":\"50\"}}");
        server.op("PUT", "/v1/orgs/usage-org/budgets/members/SA%20ci", "{\"credits\":null}");
        String[][] events = {
                {"e1", "ada@u.io", "big", "agent", "2026-11-03T10:00:00Z", "\"input\":123457,\"output\":9876", "\"agent\":\"reviewer\""},
                {"e2", "bob@u.io", "small", "chat", "2026-11-03T11:00:00Z", "\"input\":777777", null},
                {"e3", "SA ci", "big", "cli_agent", "2026-11-10T09:30:00Z", "\"input\":5000,\"output\":333", "\"agent\":\"ci\""},
                {"e4", "bob@u.io", "big", "chat", "2026-11-15T08:00:00Z", "\"input\":42,\"output\":4242", null},
                {"e5", "ada@u.io", "small", "chat", "2026-10-20T08:00:00Z", "\"input\":1000", null},
        };
        for (String[] e : events) {
            server.op("POST", "/v1/usage", "{\"id\":\"%s\",\"orgId\":\"usage-org\",\"memberId\":\"%s\",\"model\":\"%s\",\"activity\":\"%s\",\"occurredAt\":\"%s\",\"tokens\":{%s}%s}"
                    .formatted(e[0], e[1], e[2], e[3], e[4], e[5], e[6] == null ? "" : "," + e[6]));
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode graphql(String key, String query, Map<String, Object> variables) {
        TestServer.Response r = server.post("/graphql", key, new String(Json.write(Map.of("query", query, "variables", variables)), StandardCharsets.UTF_8));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static JsonNode orgUsage(String key, String orgId, String from, String to, String membersArgs) {
        String members = membersArgs == null ? "" : " members" + membersArgs + " { total page pageSize rows { " + ROW_FIELDS + " } }";
        return graphql(key, "query($o: ID!, $f: String!, $t: String!) { orgUsage(orgId: $o, from: $f, to: $t) { " + SUMMARY_FIELDS + members + " } }",
                Map.of("o", orgId, "f", from, "t", to));
    }

    @Test
    void summaryEqualsTheRestSummary() {
        JsonNode r = orgUsage(adminKey, "usage-org", "2026-11-01", "2026-11-16", null);
        assertThat(r.has("errors")).as(r.toString()).isFalse();
        JsonNode rest = server.get("/v1/orgs/usage-org/usage/summary?" + RANGE, adminKey).json();
        assertThat(r.path("data").path("orgUsage")).isEqualTo(rest);
        assertThat(rest.path("byModel")).as("the fixture spans models").hasSize(2);
        assertThat(rest.path("creditsConsumed").asText()).isNotEqualTo("0.00");
    }

    @Test
    void memberTableEqualsTheRestTableInEverySortAndSearch() {
        String[][] cases = {
                {"", ""},
                {"(sort: \"member\")", "&sort=member"},
                {"(sort: \"credits\", order: \"asc\", pageSize: 2)", "&sort=credits&order=asc&pageSize=2"},
                {"(sort: \"member\", order: \"desc\", page: 2, pageSize: 2)", "&sort=member&order=desc&page=2&pageSize=2"},
                {"(search: \"U.IO\")", "&search=U.IO"},
        };
        for (String[] c : cases) {
            JsonNode r = orgUsage(adminKey, "usage-org", "2026-11-01", "2026-11-16", c[0]);
            assertThat(r.has("errors")).as(r.toString()).isFalse();
            ObjectNode rest = (ObjectNode) server.get("/v1/orgs/usage-org/usage/members?" + RANGE + c[1], adminKey).json();
            rest.remove("from");
            rest.remove("to");
            assertThat(r.path("data").path("orgUsage").path("members")).as(c[0]).isEqualTo(rest);
        }
        JsonNode rows = orgUsage(TestServer.OPERATOR_KEY, "usage-org", "2026-11-01", "2026-11-16", "").path("data").path("orgUsage").path("members").path("rows");
        assertThat(rows).hasSize(3);
        assertThat(rows.findValuesAsText("memberId")).containsExactly("ada@u.io", "bob@u.io", "SA ci");
        assertThat(rows.get(1).path("budget").asText()).as("the default member budget").isEqualTo("50.00");
        assertThat(rows.get(2).path("budget").isNull()).as("an explicit unlimited override").isTrue();
    }

    @Test
    void sameRolesAndErrorCodesAsRest() {
        assertThat(GraphQlTest.code(orgUsage(null, "usage-org", "2026-11-01", "2026-11-16", null))).isEqualTo("UNAUTHENTICATED");
        assertThat(GraphQlTest.code(orgUsage(memberKey, "usage-org", "2026-11-01", "2026-11-16", null))).isEqualTo("FORBIDDEN");
        assertThat(GraphQlTest.code(orgUsage(otherAdminKey, "usage-org", "2026-11-01", "2026-11-16", null))).isEqualTo("FORBIDDEN");
        assertThat(GraphQlTest.code(orgUsage(otherAdminKey, "no-such-org", "2026-11-01", "2026-11-16", null))).isEqualTo("FORBIDDEN");
        JsonNode backwards = orgUsage(adminKey, "usage-org", "2026-11-16", "2026-11-01", null);
        assertThat(GraphQlTest.code(backwards)).isEqualTo(server.get("/v1/orgs/usage-org/usage/summary?from=2026-11-16&to=2026-11-01", adminKey).errorCode());
        assertThat(GraphQlTest.code(orgUsage(adminKey, "usage-org", "2026-11-01", "2026-11-16", "(pageSize: 501)")))
                .isEqualTo(server.get("/v1/orgs/usage-org/usage/members?" + RANGE + "&pageSize=501", adminKey).errorCode())
                .isEqualTo("VALIDATION_ERROR");
        assertThat(GraphQlTest.code(orgUsage(adminKey, "usage-org", "2026-11-01", "2026-11-16", "(sort: \"events\")"))).isEqualTo("VALIDATION_ERROR");
    }
}
