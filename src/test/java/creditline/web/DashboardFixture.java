package creditline.web;

import creditline.testing.TestServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The dashboard tests' org, made through the public API: members, {@code models} models with
 * different rates, budgets, a grant, and a month of usage spread over days, members, models,
 * activities and agents (the last member uses every model, so My Usage groups some as "Other").
 */
final class DashboardFixture {
    /** The 30-day preset on the test server's clock ({@link TestServer#START}, 2026-11-15). */
    static final String LAST_30_DAYS = "from=2026-10-17&to=2026-11-16";
    private static final String[] ACTIVITIES = {"chat", "agent", "cli_agent", "code_review"};
    private static final String[] AGENTS = {null, "pr-reviewer", "ci"};

    private DashboardFixture() {}

    static void create(TestServer server, String orgId, List<String> members, int models) {
        server.op("PUT", "/v1/plans/web-team", """
                {"name": "Team", "monthlyPrice": {"amount": "49.00", "currency": "USD"}, "creditsIncluded": "20000", "overage": "allow"}""");
        for (int m = 0; m < models; m++) {
            server.op("PUT", "/v1/models/" + model(m), """
                    {"name": "Model %s", "provider": "%s", "effectiveFrom": "2026-01-01T00:00:00Z",
                     "rates": {"creditInputPer1M": "%d.5", "creditOutputPer1M": "%d", "creditCacheReadPer1M": "0.3", "creditPerRequest": "0.01"}}"""
                    .formatted((char) ('A' + m), m % 2 == 0 ? "anthropic" : "openai", 100 + 37 * m, 900 + 110 * m));
        }
        server.op("POST", "/v1/orgs", "{\"id\": \"" + orgId + "\", \"name\": \"Web Co\", \"planId\": \"web-team\"}");
        for (int i = 0; i < members.size(); i++) {
            server.op("PUT", "/v1/orgs/" + orgId + "/members/" + enc(members.get(i)), "{\"role\": \"" + (i == 0 ? "admin" : "member") + "\"}");
        }
        server.op("PUT", "/v1/orgs/" + orgId + "/budgets", """
                {"org": {"credits": "9000", "enforce": true, "notifyAdmin": true, "alertPercent": 80},
                 "defaultMember": {"credits": "800", "enforce": false, "notifyUser": true, "alertPercent": 90}}""");
        server.op("PUT", "/v1/orgs/" + orgId + "/budgets/members/" + enc(members.get(2)), "{\"credits\": \"1500\"}");
        server.op("POST", "/v1/orgs/" + orgId + "/grants", "{\"credits\": \"250\", \"expiresAt\": \"2027-01-01T00:00:00Z\", \"reason\": \"launch promotion\"}");
        server.op("POST", "/v1/usage", "{\"events\": [" + String.join(",", events(orgId, members, models)) + "]}");
    }

    static String model(int m) {
        return "model-" + (char) ('a' + m);
    }

    private static List<String> events(String orgId, List<String> members, int models) {
        List<String> out = new ArrayList<>();
        Instant now = TestServer.START;
        int n = 0;
        for (int day = 0; day < 28; day++) {
            for (int k = 0; k < members.size() - 1; k++) {
                if ((day + k) % 3 == 0) continue;
                out.add(event(orgId, "e" + n++, members.get(k), model((day + k) % 4), now.minus(Duration.ofDays(day)).minusSeconds(600L * k),
                        1_000 + 7_919L * ((day * 31 + k * 17) % 97), 200 + 131L * ((day + k) % 11), day + k));
            }
        }
        String last = members.get(members.size() - 1);
        for (int m = 0; m < models; m++) {
            for (int rep = 0; rep <= models - m; rep++) {
                out.add(event(orgId, "e" + n++, last, model(m), now.minus(Duration.ofDays((m * 3 + rep) % 20)).minusSeconds(60),
                        5_000L * (models - m) + 333L * rep, 100L * rep, m + rep));
            }
        }
        return out;
    }

    private static String event(String orgId, String id, String member, String model, Instant at, long input, long output, int salt) {
        String agent = AGENTS[salt % AGENTS.length];
        return """
                {"id": "%s", "orgId": "%s", "memberId": "%s", "model": "%s", "activity": "%s", "occurredAt": "%s",
                 "tokens": {"input": %d, "output": %d, "cacheRead": %d}%s}"""
                .formatted(id, orgId, member, model, ACTIVITIES[salt % ACTIVITIES.length], at, input, output, input / 3,
                        agent == null ? "" : ", \"agent\": \"" + agent + "\"");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
