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
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.analytics.Csv;
import creditline.testing.TestServer;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Usage views and exports over HTTP: the summary (totals, average per day, shares, zero-filled
 * days), late events on their own day, the member table (sort, search, pages, budgets), the CSV
 * files, the request-level export (filters, CSV and JSON Lines, formula neutralization, awkward
 * values round-tripping), a member's own usage, range validation and who may see what.
 */
class AnalyticsApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "an-plan", "1000000", "allow");
        unitModel(server, "unit");
        server.op("PUT", "/v1/models/half", """
                {"name": "half", "effectiveFrom": "2026-01-01T00:00:00Z", "rates": {"creditInputPer1M": "500000"}}""");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** A new org with members {@code ada@…} (admin), {@code bob@…} and {@code SA ci-bot}. */
    private static String newOrg(String orgId) {
        org(server, orgId, "an-plan");
        member(server, orgId, ada(orgId), "admin");
        member(server, orgId, bob(orgId), "member");
        member(server, orgId, "SA ci-bot", "member");
        return orgId;
    }

    private static String ada(String orgId) {
        return "ada@" + orgId + ".example";
    }

    private static String bob(String orgId) {
        return "bob@" + orgId + ".example";
    }

    /** Posts one event: {@code input} tokens (1 credit each on {@code unit}, 0.5 on {@code half}) at {@code at}. */
    private static void event(String id, String orgId, String memberId, String model, String activity, String at, long input, String extra) {
        JsonNode r = server.op("POST", "/v1/usage", """
                {"id": "%s", "orgId": "%s", "memberId": "%s", "model": "%s", "activity": "%s", "occurredAt": "%s",
                 "tokens": {"input": %d}%s}""".formatted(id, orgId, memberId, model, activity, at, input, extra == null ? "" : ", " + extra));
        assertThat(r.path("accepted").asInt()).as("accepted: %s", r).isEqualTo(1);
    }

    /** The field of each element of an array (not of nested objects). */
    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        for (JsonNode n : array) out.add(n.path(field).asText());
        return out;
    }

    private static JsonNode get(String path) {
        TestServer.Response r = server.get(path, OP);
        assertStatus(r, 200);
        return r.json();
    }

    private static List<CSVRecord> csv(String body) {
        try (CSVParser p = Csv.READ.parse(new StringReader(body))) {
            return p.getRecords();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void summaryAddsUpFillsEmptyDaysAndSplitsByModelActivityAndAgent() {
        String o = newOrg("an-sum");
        event("e1", o, ada(o), "unit", "chat", "2026-11-02T10:00:00Z", 10, null);
        event("e2", o, ada(o), "half", "agent", "2026-11-02T23:59:59Z", 7, "\"agent\": \"reviewer\"");
        event("e3", o, bob(o), "unit", "agent", "2026-11-05T00:00:00Z", 4, "\"agent\": \"reviewer\"");
        event("e4", o, "SA ci-bot", "unit", "code_review", "2026-11-14T12:00:00Z", 1, null);
        event("e5", o, bob(o), "unit", "chat", "2026-10-31T23:59:59Z", 1000, null); // before the range

        JsonNode s = get("/v1/orgs/" + o + "/usage/summary?from=2026-11-01&to=2026-11-15");
        assertThat(s.path("orgId").asText()).isEqualTo(o);
        assertThat(s.path("days").asInt()).isEqualTo(14);
        assertThat(s.path("creditsConsumed").asText()).isEqualTo("18.50");
        assertThat(s.path("avgCreditsPerDay").asText()).isEqualTo("1.321429"); // 18.5 / 14, half-up to a micro-credit
        assertThat(s.path("events").asInt()).isEqualTo(4);
        assertThat(s.path("tokens").path("input").asLong()).isEqualTo(22);
        assertThat(s.path("byModel").toString()).isEqualTo("""
                [{"model":"unit","credits":"15.00","events":3,"percent":81.08},{"model":"half","credits":"3.50","events":1,"percent":18.92}]""");
        assertThat(texts(s.path("byActivity"), "activity")).containsExactly("chat", "agent", "code_review");
        assertThat(texts(s.path("byActivity"), "credits")).containsExactly("10.00", "7.50", "1.00");
        assertThat(s.path("byAgent").toString()).isEqualTo("""
                [{"agent":null,"credits":"11.00","events":2,"percent":59.46},{"agent":"reviewer","credits":"7.50","events":2,"percent":40.54}]""");
        JsonNode daily = s.path("daily");
        assertThat(daily.size()).isEqualTo(14);
        assertThat(daily.get(0).path("date").asText()).isEqualTo("2026-11-01");
        assertThat(daily.get(0).path("credits").asText()).isEqualTo("0.00");
        assertThat(daily.get(1).path("credits").asText()).isEqualTo("13.50");
        assertThat(daily.get(4).path("credits").asText()).isEqualTo("4.00");
        assertThat(daily.get(13).path("date").asText()).isEqualTo("2026-11-14");
        assertThat(daily.get(13).path("credits").asText()).isEqualTo("1.00");

        JsonNode empty = get("/v1/orgs/" + o + "/usage/summary?from=2026-09-01&to=2026-09-03");
        assertThat(empty.path("creditsConsumed").asText()).isEqualTo("0.00");
        assertThat(empty.path("avgCreditsPerDay").asText()).isEqualTo("0.00");
        assertThat(empty.path("byModel").size()).isZero();
        assertThat(empty.path("byModel").size()).isZero();
        assertThat(texts(empty.path("daily"), "credits")).containsExactly("0.00", "0.00");
    }

    @Test
    void aLateEventLandsOnItsOwnDayTheMomentItIsAcknowledged() {
        String o = newOrg("an-late");
        event("now", o, ada(o), "unit", "chat", "2026-11-15T11:00:00Z", 3, null);
        String path = "/v1/orgs/" + o + "/usage/summary?from=2026-11-01&to=2026-11-16";
        assertThat(get(path).path("daily").get(4).path("credits").asText()).isEqualTo("0.00");
        event("late", o, ada(o), "unit", "chat", "2026-11-05T08:00:00Z", 5, null);
        JsonNode s = get(path);
        assertThat(s.path("daily").get(4).path("date").asText()).isEqualTo("2026-11-05");
        assertThat(s.path("daily").get(4).path("credits").asText()).isEqualTo("5.00");
        assertThat(s.path("daily").get(14).path("credits").asText()).isEqualTo("3.00");
        assertThat(s.path("creditsConsumed").asText()).isEqualTo("8.00");
        // The member's credits through each later day of the late day's block grow too: the member table sees it at once.
        JsonNode lateOnly = get("/v1/orgs/" + o + "/usage/members?from=2026-11-05&to=2026-11-06");
        assertThat(lateOnly.path("rows").get(0).path("credits").asText()).isEqualTo("5.00");
        JsonNode afterLate = get("/v1/orgs/" + o + "/usage/members?from=2026-11-06&to=2026-11-16");
        assertThat(afterLate.path("rows").get(0).path("credits").asText()).isEqualTo("3.00");
    }

    @Test
    void rangesAreValidatedPrecisely() {
        String o = newOrg("an-range");
        String base = "/v1/orgs/" + o + "/usage/summary";
        record Case(String query, String code, String field, String message) {}
        for (Case c : List.of(
                new Case("?to=2026-11-02", "MISSING_FIELD", "from", "from is required"),
                new Case("?from=2026-11-01", "MISSING_FIELD", "to", "to is required"),
                new Case("?from=2026-11-1&to=2026-11-02", "VALIDATION_ERROR", "from", "from must be a date YYYY-MM-DD, got '2026-11-1'"),
                new Case("?from=2026-02-30&to=2026-03-02", "VALIDATION_ERROR", "from", "got '2026-02-30'"),
                new Case("?from=2026-11-01&to=2026-11-01", "VALIDATION_ERROR", "to", "to (2026-11-01) must be after from (2026-11-01)"),
                new Case("?from=2026-11-02&to=2026-11-01", "VALIDATION_ERROR", "to", "must be after from"),
                new Case("?from=2025-01-01&to=2026-02-05", "VALIDATION_ERROR", "to", "spans 400"),
                new Case("?from=2025-01-01&to=2026-02-06", "VALIDATION_ERROR", "to", "spans 401 days; at most 400"),
                new Case("?from=2026-11-01&to=2026-11-02&form=x", "UNKNOWN_FIELD", "form", "unknown query parameter 'form'"))) {
            TestServer.Response r = server.get(base + c.query(), OP);
            if (c.message().equals("spans 400")) {
                assertStatus(r, 200); // exactly 400 days is allowed
                continue;
            }
            assertThat(assertFieldError(r, 400, c.code(), c.field()).path("message").asText()).as(c.query()).contains(c.message());
        }
        TestServer.Response pages = server.get("/v1/orgs/" + o + "/usage/members?from=2026-11-01&to=2026-11-02&pageSize=501", OP);
        assertFieldError(pages, 400, "VALIDATION_ERROR", "pageSize");
        assertFieldError(server.get("/v1/orgs/" + o + "/usage/members?from=2026-11-01&to=2026-11-02&page=0", OP), 400, "VALIDATION_ERROR", "page");
        assertFieldError(server.get("/v1/orgs/" + o + "/usage/members?from=2026-11-01&to=2026-11-02&sort=budget", OP), 400, "VALIDATION_ERROR", "sort");
        assertFieldError(server.get("/v1/orgs/" + o + "/usage/members?from=2026-11-01&to=2026-11-02&order=up", OP), 400, "VALIDATION_ERROR", "order");
        assertFieldError(server.get("/v1/orgs/" + o + "/usage/events?from=2026-11-01&to=2026-11-02&format=xml", OP), 400, "VALIDATION_ERROR", "format");
        assertError(server.get("/v1/orgs/nope/usage/summary?from=2026-11-01&to=2026-11-02", OP), 404, "ORG_NOT_FOUND");
    }

    @Test
    void theMemberTableSortsSearchesPagesAndShowsBudgets() {
        String o = newOrg("an-members");
        member(server, o, "carol@" + o + ".example", "member");
        member(server, o, "gone@" + o + ".example", "member");
        event("a1", o, ada(o), "unit", "chat", "2026-11-03T00:00:00Z", 30, null);
        event("a2", o, ada(o), "half", "chat", "2026-11-04T00:00:00Z", 20, null);
        event("b1", o, bob(o), "unit", "chat", "2026-11-03T00:00:00Z", 50, null);
        event("s1", o, "SA ci-bot", "half", "chat", "2026-11-10T00:00:00Z", 2, null);
        event("g1", o, "gone@" + o + ".example", "unit", "chat", "2026-11-09T00:00:00Z", 7, null);
        event("old", o, "carol@" + o + ".example", "unit", "chat", "2026-10-20T00:00:00Z", 99, null); // outside the range
        server.op("DELETE", "/v1/orgs/" + o + "/members/" + enc("gone@" + o + ".example"), null);
        server.op("PUT", "/v1/orgs/" + o + "/budgets", """
                {"defaultMember": {"credits": "200", "enforce": true}}""");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc(bob(o)), "{\"credits\": \"40\"}");
        server.op("PUT", "/v1/orgs/" + o + "/budgets/members/" + enc("SA ci-bot"), "{\"credits\": null}");

        String base = "/v1/orgs/" + o + "/usage/members?from=2026-11-01&to=2026-11-16";
        JsonNode t = get(base);
        assertThat(t.path("total").asInt()).isEqualTo(5); // 4 current members + the removed one with usage
        assertThat(texts(t.path("rows"), "memberId")).containsExactly(bob(o), ada(o), "gone@" + o + ".example", "SA ci-bot",
                "carol@" + o + ".example");
        assertThat(texts(t.path("rows"), "credits")).containsExactly("50.00", "40.00", "7.00", "1.00", "0.00");
        JsonNode adaRow = t.path("rows").get(1);
        assertThat(adaRow.path("events").asInt()).isEqualTo(2);
        assertThat(adaRow.path("byModel").toString()).isEqualTo("""
                [{"model":"unit","credits":"30.00","events":1,"percent":75},{"model":"half","credits":"10.00","events":1,"percent":25}]""");
        assertThat(adaRow.path("budget").asText()).isEqualTo("200.00");
        assertThat(adaRow.path("budgetConsumed").asText()).isEqualTo("40.00");
        assertThat(adaRow.path("usagePercent").decimalValue()).isEqualByComparingTo("20.00");
        JsonNode bobRow = t.path("rows").get(0);
        assertThat(bobRow.path("budget").asText()).isEqualTo("40.00");
        assertThat(bobRow.path("usagePercent").decimalValue()).isEqualByComparingTo("125.00");
        assertThat(t.path("rows").get(2).path("current").asBoolean()).isFalse();
        assertThat(t.path("rows").get(3).path("budget").isNull()).as("an explicit unlimited override").isTrue();
        assertThat(t.path("rows").get(3).path("usagePercent").isNull()).isTrue();
        assertThat(t.path("rows").get(4).path("byModel").size()).isZero();

        assertThat(texts(get(base + "&sort=member").path("rows"), "memberId")).containsExactly("SA ci-bot", ada(o), bob(o),
                "carol@" + o + ".example", "gone@" + o + ".example");
        assertThat(texts(get(base + "&sort=credits&order=asc").path("rows"), "credits")).containsExactly("0.00", "1.00", "7.00",
                "40.00", "50.00");
        JsonNode search = get(base + "&search=" + enc("B@AN-"));
        assertThat(texts(search.path("rows"), "memberId")).containsExactly(bob(o));
        assertThat(search.path("total").asInt()).isEqualTo(1);
        assertThat(get(base + "&search=" + enc("%")).path("total").asInt()).as("a LIKE wildcard is searched literally").isZero();

        JsonNode p2 = get(base + "&pageSize=2&page=2");
        assertThat(texts(p2.path("rows"), "memberId")).containsExactly("gone@" + o + ".example", "SA ci-bot");
        assertThat(p2.path("total").asInt()).isEqualTo(5);
        assertThat(p2.path("page").asInt()).isEqualTo(2);
        assertThat(p2.path("pageSize").asInt()).isEqualTo(2);
        JsonNode beyond = get(base + "&pageSize=2&page=9");
        assertThat(beyond.path("rows").size()).isZero();
        assertThat(beyond.path("total").asInt()).isEqualTo(5);

        List<CSVRecord> rows = csv(server.get("/v1/orgs/" + o + "/usage/members.csv?from=2026-11-01&to=2026-11-16", OP).body());
        assertThat(rows.get(0).values()).containsExactly("user", "credits", "events", "budget", "budgetConsumed", "usagePercent", "unit", "half");
        assertThat(rows.get(1).values()).containsExactly(bob(o), "50.00", "1", "40.00", "50.00", "125.00", "50.00", "0.00");
        assertThat(rows.get(2).values()).containsExactly(ada(o), "40.00", "2", "200.00", "40.00", "20.00", "30.00", "10.00");
        assertThat(rows.get(4).values()).containsExactly("SA ci-bot", "1.00", "1", "", "1.00", "", "0.00", "1.00");
        assertThat(rows).hasSize(6);

        TestServer.Response models = server.get("/v1/orgs/" + o + "/usage/models.csv?from=2026-11-01&to=2026-11-16", OP);
        assertThat(models.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        assertThat(models.headers().firstValue("Content-Disposition").orElseThrow()).contains("an-members-usage-models-2026-11-01-2026-11-16.csv");
        assertThat(models.body()).isEqualTo("""
                model,credits,events,percent,nominalCredits,inputTokens,outputTokens,cacheWriteTokens,cacheReadTokens\r
                unit,87.00,3,88.78,87.00,87,0,0,0\r
                half,11.00,2,11.22,11.00,22,0,0,0\r
                """);
    }

    @Test
    void theEventExportHasEveryFieldFiltersAndStreamsCsvOrJsonLines() {
        String o = newOrg("an-export");
        event("x1", o, ada(o), "unit", "chat", "2026-11-02T10:00:00Z", 3, """
                "agent": "pr-reviewer", "conversation": "c1", "task": "t1", "session": "s1", "toolCalls": 2, "latencyMs": 5400,
                "status": "success", "region": "eu-west", "retries": 1, "iterations": 4, "externalCalls": 3, "contextBytes": 2048,
                "metadata": {"ticket": "ABC-1", "n": 2}""");
        event("x2", o, bob(o), "half", "agent", "2026-11-03T10:00:00Z", 4, "\"byoKey\": true");
        event("x3", o, bob(o), "unit", "code_review", "2026-11-04T10:00:00Z", 5, null);
        String base = "/v1/orgs/" + o + "/usage/events?from=2026-11-01&to=2026-11-16";

        TestServer.Response r = server.get(base, OP);
        assertStatus(r, 200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/csv; charset=utf-8");
        List<CSVRecord> rows = csv(r.body());
        assertThat(rows.get(0).values()).containsExactly("id", "orgId", "memberId", "model", "activity", "occurredAt", "receivedAt",
                "credits", "nominalCredits", "rateVersion", "unmeteredReason", "restricted", "inputTokens", "outputTokens",
                "cacheWriteTokens", "cacheReadTokens", "cacheWrite1hTokens", "audioInputTokens", "audioOutputTokens", "imageInputTokens",
                "imageOutputTokens", "toolCalls", "reservationId", "agent", "conversation", "task", "session", "latencyMs", "status", "region",
                "retries", "iterations", "externalCalls", "contextBytes", "metadata");
        assertThat(rows).hasSize(4);
        assertThat(rows.get(1).values()).containsExactly("x1", o, ada(o), "unit", "chat", "2026-11-02T10:00:00Z", "2026-11-15T12:00:00Z",
                "3.00", "3.00", "1", "", "false", "3", "0", "0", "0", "0", "0", "0", "0", "0", "2", "", "pr-reviewer", "c1", "t1", "s1",
                "5400", "success", "eu-west", "1", "4", "3", "2048", "{\"ticket\":\"ABC-1\",\"n\":2}");
        assertThat(rows.get(2).get(7)).as("credits").isEqualTo("0.00");
        assertThat(rows.get(2).get(8)).as("nominalCredits").isEqualTo("2.00");
        assertThat(rows.get(2).get(10)).as("unmeteredReason").isEqualTo("byo_key");

        List<String> jsonl = r.body().isEmpty() ? List.of() : server.get(base + "&format=jsonl", OP).body().lines().toList();
        assertThat(jsonl).hasSize(3);
        JsonNode first = Json.parse(jsonl.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(first.path("id").asText()).isEqualTo("x1");
        assertThat(first.path("credits").asText()).isEqualTo("3.00");
        assertThat(first.path("latencyMs").asLong()).isEqualTo(5400);
        assertThat(first.path("restricted").isBoolean()).isTrue();
        assertThat(first.path("reservationId").isNull()).isTrue();
        assertThat(first.path("metadata").path("ticket").asText()).isEqualTo("ABC-1");
        assertThat(server.get(base + "&format=jsonl", OP).headers().firstValue("Content-Type")).hasValue("application/x-ndjson; charset=utf-8");

        record Filter(String query, List<String> ids) {}
        for (Filter f : List.of(
                new Filter("&model=unit", List.of("x1", "x3")),
                new Filter("&model=half,unit&activity=agent", List.of("x2")),
                new Filter("&activity=chat&activity=code_review", List.of("x1", "x3")),
                new Filter("&memberId=" + enc(bob(o)), List.of("x2", "x3")),
                new Filter("&memberId=" + enc(bob(o)) + "&memberId=" + enc(ada(o)) + "&model=unit", List.of("x1", "x3")),
                new Filter("&model=ghost", List.of()))) {
            List<CSVRecord> got = csv(server.get(base + f.query(), OP).body());
            assertThat(got.subList(1, got.size()).stream().map(rec -> rec.get(0)).toList()).as(f.query()).isEqualTo(f.ids());
        }
        assertThat(csv(server.get("/v1/orgs/" + o + "/usage/events?from=2026-11-03&to=2026-11-04", OP).body()).stream().skip(1)
                .map(rec -> rec.get(0)).toList()).as("half-open days").containsExactly("x2");
        assertThat(server.get(base.replace("2026-11-01", "2026-09-01").replace("2026-11-16", "2026-09-02") + "&format=jsonl", OP).body()).isEmpty();
        StringBuilder many = new StringBuilder();
        for (int i = 0; i <= 100; i++) many.append("&model=m").append(i);
        assertFieldError(server.get(base + many, OP), 400, "VALIDATION_ERROR", "model");
        assertFieldError(server.get(base + "&model=", OP), 400, "VALIDATION_ERROR", "model");
    }

    @Test
    void awkwardValuesRoundTripThroughTheCsvAndJsonLinesAndFormulasAreNeutralized() {
        String o = newOrg("an-awkward");
        List<String> values = List.of("comma, inside", "quote \" inside", "line\nbreak", "crlf\r\nbreak", "unicode ✓ Grüße 日本 🚀",
                "=HYPERLINK(\"http://evil\")", "+1+2", "-3", "@SUM(A1)", "\tTAB", "\rCR", "'apostrophe", "''two", "plain");
        for (int i = 0; i < values.size(); i++) {
            event("w" + i, o, ada(o), "unit", "chat", "2026-11-02T10:00:" + String.format("%02d", i) + "Z", 1,
                    "\"agent\": " + new String(Json.write(values.get(i)), java.nio.charset.StandardCharsets.UTF_8));
        }
        String body = server.get("/v1/orgs/" + o + "/usage/events?from=2026-11-01&to=2026-11-16", OP).body();
        List<CSVRecord> rows = csv(body);
        int agent = rows.get(0).values().length - 12;
        assertThat(rows.get(0).get(agent)).isEqualTo("agent");
        List<String> raw = new ArrayList<>();
        List<String> restored = new ArrayList<>();
        for (CSVRecord rec : rows.subList(1, rows.size())) {
            raw.add(rec.get(agent));
            restored.add(Csv.restore(rec.get(agent)));
        }
        assertThat(restored).isEqualTo(values);
        for (String cell : raw) assertThat(cell).as("no cell a spreadsheet would run").doesNotStartWith("=").doesNotStartWith("+")
                .doesNotStartWith("-").doesNotStartWith("@").doesNotStartWith("\t").doesNotStartWith("\r");
        assertThat(raw.get(5)).isEqualTo("'=HYPERLINK(\"http://evil\")");
        assertThat(raw.get(11)).isEqualTo("''apostrophe");
        assertThat(body).contains("\"comma, inside\"").contains("\"quote \"\" inside\"").endsWith("\r\n");

        List<String> agents = new ArrayList<>();
        for (String line : server.get("/v1/orgs/" + o + "/usage/events?from=2026-11-01&to=2026-11-16&format=jsonl", OP).body().split("\n")) {
            agents.add(Json.parse(line.getBytes(java.nio.charset.StandardCharsets.UTF_8)).path("agent").textValue());
        }
        assertThat(agents).as("JSON Lines carry the same values, unneutralized").isEqualTo(values);
    }

    @Test
    void aMemberSeesOnlyTheirOwnUsageAndMonthlyBudget() {
        String o = newOrg("an-me");
        String other = newOrg("an-me-other");
        event("m1", o, bob(o), "unit", "chat", "2026-11-03T00:00:00Z", 12, null);
        event("m2", o, bob(o), "half", "agent", "2026-10-30T00:00:00Z", 8, null);
        event("m3", o, ada(o), "unit", "chat", "2026-11-03T00:00:00Z", 500, null);
        server.op("PUT", "/v1/orgs/" + o + "/budgets", "{\"defaultMember\": {\"credits\": \"48\", \"enforce\": true}}");
        String bobKey = key(server, o, "member", bob(o));
        String adminKey = key(server, o, "admin", ada(o));
        String otherAdmin = key(server, other, "admin", ada(other));

        TestServer.Response me = server.get("/v1/me/usage?from=2026-10-25&to=2026-11-16", bobKey);
        assertStatus(me, 200);
        JsonNode m = me.json();
        assertThat(m.path("memberId").asText()).isEqualTo(bob(o));
        assertThat(m.path("creditsConsumed").asText()).isEqualTo("16.00");
        assertThat(texts(m.path("byModel"), "model")).containsExactly("unit", "half");
        assertThat(m.path("daily").size()).isEqualTo(22);
        assertThat(m.path("monthlyBudget").toString()).isEqualTo("""
                {"credits":"48.00","consumed":"12.00","usagePercent":25,"enforce":true,"periodStart":"2026-11-01","periodEnd":"2026-12-01"}""");

        String range = "?from=2026-11-01&to=2026-11-16";
        for (String path : List.of("/usage/summary" + range, "/usage/members" + range, "/usage/members.csv" + range, "/usage/models.csv" + range,
                "/usage/events" + range, "/budgets/members.csv")) {
            assertError(server.get("/v1/orgs/" + o + path, bobKey), 403, "FORBIDDEN");
            assertError(server.get("/v1/orgs/" + o + path, otherAdmin), 403, "FORBIDDEN");
            assertError(server.get("/v1/orgs/nope" + path, otherAdmin), 403, "FORBIDDEN");
            assertStatus(server.get("/v1/orgs/" + o + path, adminKey), 200);
        }
        assertError(server.get("/v1/me/usage" + range, adminKey), 403, "FORBIDDEN");
        assertError(server.get("/v1/me/usage" + range, OP), 403, "FORBIDDEN");
        assertError(server.get("/v1/me/usage" + range, null), 401, "UNAUTHENTICATED");
        assertFieldError(server.get("/v1/me/usage?from=2026-11-01", bobKey), 400, "MISSING_FIELD", "to");
    }
}
