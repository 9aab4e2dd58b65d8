package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.analytics.Csv;
import creditline.testing.Databases;
import creditline.testing.Seeds;
import creditline.testing.TestServer;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded property (replay with {@code -Dcreditline.seed=N}): random events over 34 days, many
 * members and models, posted in random batches and order (late events included), some resent,
 * one member removed afterwards. For random ranges, every view adds up to the same credits:
 * summary total = sum of days = sum by model = by activity = by agent = sum of member rows (every
 * page, either sort) = members CSV = models CSV = the export (CSV and JSON Lines) = the charges
 * the usage responses reported; and each part equals the reference model's.
 */
class UsageReconciliationTest {
    private static final String ORG = "recon";
    private static final List<String> MODELS = List.of("tok", "cheap", "reply", "local", "dear");
    private static final List<String> ACTIVITIES = List.of("chat", "agent", "cli_agent", "code_review", "system");
    private static final List<String> AGENTS = List.of("", "", "reviewer", "planner");

    /** An accepted event as the reference model keeps it. */
    private record Charged(String id, LocalDate day, String member, String model, String activity, String agent, BigDecimal credits) {}

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void everyViewAddsUpToTheEventCharges(String database) {
        long seed = Seeds.seed("UsageReconciliationTest." + database);
        SplittableRandom r = new SplittableRandom(seed);
        String db = Databases.fresh(database);
        try (TestServer s = new TestServer(db)) {
            plan(s, "recon-plan", "100000", "allow");
            s.op("PUT", "/v1/models/tok", rates("\"creditInputPer1M\": \"3\", \"creditOutputPer1M\": \"15\", \"creditCacheReadPer1M\": \"0.3\""));
            s.op("PUT", "/v1/models/cheap", rates("\"creditInputPer1M\": \"0.25\", \"creditOutputPer1M\": \"1.25\""));
            s.op("PUT", "/v1/models/reply", rates("\"creditPerRequest\": \"0.5\", \"creditPerToolCall\": \"0.05\""));
            s.op("PUT", "/v1/models/local", "{\"unmetered\": true, \"effectiveFrom\": \"2026-01-01T00:00:00Z\", \"rates\": {\"creditPerRequest\": \"1\"}}");
            s.op("PUT", "/v1/models/dear", rates("\"creditInputPer1M\": \"75\", \"creditOutputPer1M\": \"150\""));
            org(s, ORG, "recon-plan");
            List<String> members = new ArrayList<>();
            for (int i = 0; i < 14; i++) members.add(i < 12 ? "user" + i + "@recon.example" : "SA bot-" + i);
            for (String m : members) member(s, ORG, m, "member");

            List<Charged> charged = post(s, r, members, 1_200 + r.nextInt(600));
            String removed = members.get(r.nextInt(members.size()));
            s.op("DELETE", "/v1/orgs/" + ORG + "/members/" + enc(removed), null);
            String me = members.stream().filter(m -> !m.equals(removed)).findFirst().orElseThrow();
            String meKey = key(s, ORG, "member", me);

            LocalDate first = LocalDate.of(2026, 10, 11);
            List<LocalDate[]> ranges = new ArrayList<>();
            ranges.add(new LocalDate[] {first, LocalDate.of(2026, 11, 16)});
            for (int i = 0; i < 6; i++) {
                LocalDate from = first.plusDays(r.nextInt(36));
                ranges.add(new LocalDate[] {from, from.plusDays(1 + r.nextInt(20))});
            }
            for (LocalDate[] range : ranges) {
                String q = "?from=" + range[0] + "&to=" + range[1];
                List<Charged> in = charged.stream().filter(c -> !c.day().isBefore(range[0]) && c.day().isBefore(range[1])).toList();
                checkRange(s, q, in, members, removed, r, Seeds.replay(seed) + " " + q);
                JsonNode mine = s.get("/v1/me/usage" + q, meKey).json();
                List<Charged> myIn = in.stream().filter(c -> c.member().equals(me)).toList();
                String as = Seeds.replay(seed) + " " + q + " my usage";
                assertThat(dec(mine.path("creditsConsumed"))).as(as).isEqualByComparingTo(sum(myIn));
                assertThat(mine.path("events").asLong()).as(as).isEqualTo(myIn.size());
                assertThat(parts(mine.path("byModel"), "model")).as(as).isEqualTo(expected(myIn, Charged::model));
                assertThat(parts(mine.path("byActivity"), "activity")).as(as).isEqualTo(expected(myIn, Charged::activity));
                assertThat(parts(mine.path("byAgent"), "agent")).as(as).isEqualTo(expected(myIn, c -> c.agent().isEmpty() ? "null" : c.agent()));
                assertThat(parts(mine.path("daily"), "date")).as(as).isEqualTo(expected(myIn, c -> c.day().toString()));
            }
        } finally {
            Databases.drop(db);
        }
    }

    private static String rates(String rates) {
        return "{\"effectiveFrom\": \"2026-01-01T00:00:00Z\", \"rates\": {" + rates + "}}";
    }

    /** Posts random events in random batches (some resent) and returns the accepted ones with their charges. */
    private static List<Charged> post(TestServer s, SplittableRandom r, List<String> members, int n) {
        Instant now = TestServer.START;
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Skewed: low-numbered members and the first models are used most.
            String member = members.get(Math.min(members.size() - 1, (int) Math.abs(r.nextGaussian() * 5)));
            String model = MODELS.get(Math.min(MODELS.size() - 1, r.nextInt(MODELS.size() + 2) / 2 + r.nextInt(2)));
            Instant at = now.minus(Duration.ofSeconds(r.nextLong(34L * 86_400)));
            String agent = AGENTS.get(r.nextInt(AGENTS.size()));
            bodies.add("""
                    {"id": "ev-%d", "orgId": "%s", "memberId": "%s", "model": "%s", "activity": "%s", "occurredAt": "%s",
                     "tokens": {"input": %d, "output": %d, "cacheRead": %d}, "toolCalls": %d, "byoKey": %s%s}"""
                    .formatted(i, ORG, member, model, ACTIVITIES.get(r.nextInt(ACTIVITIES.size())), at, r.nextLong(200_000), r.nextLong(20_000),
                            r.nextInt(3) == 0 ? r.nextLong(500_000) : 0, r.nextInt(4), r.nextInt(25) == 0,
                            agent.isEmpty() ? "" : ", \"agent\": \"" + agent + "\""));
        }
        Collections.shuffle(bodies, new java.util.Random(r.nextLong()));
        List<Charged> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int from = 0; from < bodies.size(); ) {
            int to = Math.min(bodies.size(), from + 1 + r.nextInt(150));
            List<String> batch = new ArrayList<>(bodies.subList(from, to));
            if (from > 0 && r.nextInt(4) == 0) batch.add(bodies.get(r.nextInt(from))); // a resend: a duplicate
            JsonNode res = s.op("POST", "/v1/usage", "{\"events\": [" + String.join(",", batch) + "]}");
            for (int k = 0; k < batch.size(); k++) {
                JsonNode outcome = res.path("events").get(k);
                assertThat(outcome.path("status").asText()).isIn("accepted", "duplicate");
                if (!outcome.path("status").asText().equals("accepted")) continue;
                JsonNode e = Json.parse(batch.get(k).getBytes(StandardCharsets.UTF_8));
                assertThat(seen.add(e.path("id").asText())).isTrue();
                out.add(new Charged(e.path("id").asText(), LocalDate.ofInstant(Instant.parse(e.path("occurredAt").asText()), ZoneOffset.UTC),
                        e.path("memberId").asText(), e.path("model").asText(), e.path("activity").asText(), e.path("agent").asText(""),
                        dec(outcome.path("credits"))));
            }
            from = to;
        }
        assertThat(out).hasSize(n);
        return out;
    }

    private static void checkRange(TestServer s, String q, List<Charged> in, List<String> members, String removed, SplittableRandom r, String as) {
        BigDecimal total = sum(in);
        String base = "/v1/orgs/" + ORG + "/usage";
        JsonNode summary = s.op("GET", base + "/summary" + q, null);
        assertThat(dec(summary.path("creditsConsumed"))).as(as).isEqualByComparingTo(total);
        assertThat(summary.path("events").asLong()).as(as).isEqualTo(in.size());
        assertThat(sumOf(summary.path("daily"), "credits")).as(as).isEqualByComparingTo(total);
        assertThat(parts(summary.path("byModel"), "model")).as(as).isEqualTo(expected(in, Charged::model));
        assertThat(parts(summary.path("byActivity"), "activity")).as(as).isEqualTo(expected(in, Charged::activity));
        assertThat(parts(summary.path("byAgent"), "agent")).as(as).isEqualTo(expected(in, c -> c.agent().isEmpty() ? "null" : c.agent()));
        assertThat(parts(summary.path("daily"), "date")).as(as).isEqualTo(expected(in, c -> c.day().toString()));

        // The member table, page by page, in both sorts: the same rows, adding up to the total.
        Map<String, BigDecimal> byMember = expected(in, Charged::member);
        // Every current member, and the removed one when it has events in the range (even unmetered ones).
        boolean removedHasEvents = in.stream().anyMatch(c -> c.member().equals(removed));
        int expectedRows = members.size() - (removedHasEvents ? 0 : 1);
        for (String sort : List.of("credits", "member")) {
            int pageSize = 1 + r.nextInt(6);
            Map<String, BigDecimal> rows = new HashMap<>();
            List<String> order = new ArrayList<>();
            BigDecimal previous = null;
            for (int page = 1; ; page++) {
                JsonNode p = s.op("GET", base + "/members" + q + "&sort=" + sort + "&pageSize=" + pageSize + "&page=" + page, null);
                assertThat(p.path("total").asInt()).as(as).isEqualTo(expectedRows);
                for (JsonNode row : p.path("rows")) {
                    BigDecimal c = dec(row.path("credits"));
                    if (sort.equals("credits") && previous != null) assertThat(c).as(as + " sorted").isLessThanOrEqualTo(previous);
                    previous = c;
                    assertThat(sumOf(row.path("byModel"), "credits")).as(as).isEqualByComparingTo(c);
                    String member = row.path("memberId").asText();
                    assertThat(parts(row.path("byModel"), "model")).as(as + " " + member + " by model")
                            .isEqualTo(expected(in.stream().filter(x -> x.member().equals(member)).toList(), Charged::model));
                    assertThat(rows.put(row.path("memberId").asText(), c)).as(as + " once").isNull();
                    order.add(member);
                }
                if (p.path("rows").size() < pageSize) break;
            }
            assertThat(rows).hasSize(expectedRows);
            // By credits: the most first, ties by member id (ascending); by member: by id.
            List<String> expectedOrder = new ArrayList<>(rows.keySet());
            expectedOrder.sort(sort.equals("credits")
                    ? Comparator.comparing((String m) -> rows.get(m)).reversed().thenComparing(Comparator.naturalOrder())
                    : Comparator.naturalOrder());
            assertThat(order).as(as + " order by " + sort).isEqualTo(expectedOrder);
            assertThat(nonZero(rows)).as(as).isEqualTo(nonZero(byMember));
        }
        List<CSVRecord> membersCsv = csv(s.get(base + "/members.csv" + q, OP).body());
        assertThat(membersCsv).hasSize(expectedRows + 1);
        assertThat(sumColumn(membersCsv, 1)).as(as).isEqualByComparingTo(total);
        assertThat(sumColumn(csv(s.get(base + "/models.csv" + q, OP).body()), 1)).as(as).isEqualByComparingTo(total);

        List<CSVRecord> export = csv(s.get(base + "/events" + q, OP).body());
        assertThat(export).hasSize(in.size() + 1);
        assertThat(sumColumn(export, 7)).as(as).isEqualByComparingTo(total);
        BigDecimal jsonl = BigDecimal.ZERO;
        for (String line : s.get(base + "/events" + q + "&format=jsonl", OP).body().lines().toList()) {
            jsonl = jsonl.add(dec(Json.parse(line.getBytes(StandardCharsets.UTF_8)).path("credits")));
        }
        assertThat(jsonl).as(as).isEqualByComparingTo(total);
    }

    /** The reference model's credits by key, without zero parts (comparable whatever the scale). */
    private static Map<String, BigDecimal> expected(List<Charged> in, java.util.function.Function<Charged, String> key) {
        Map<String, BigDecimal> out = new TreeMap<>();
        for (Charged c : in) out.merge(key.apply(c), c.credits(), BigDecimal::add);
        return nonZero(out);
    }

    /** A view's credits by key (each key once), without zero parts. */
    private static Map<String, BigDecimal> parts(JsonNode shares, String keyName) {
        Map<String, BigDecimal> out = new TreeMap<>();
        for (JsonNode sh : shares) assertThat(out.put(sh.path(keyName).isNull() ? "null" : sh.path(keyName).asText(), dec(sh.path("credits")))).isNull();
        return nonZero(out);
    }

    private static Map<String, BigDecimal> nonZero(Map<String, BigDecimal> m) {
        Map<String, BigDecimal> out = new TreeMap<>();
        m.forEach((k, v) -> {
            if (v.signum() != 0) out.put(k, v.setScale(6));
        });
        return out;
    }

    private static BigDecimal sum(List<Charged> in) {
        return in.stream().map(Charged::credits).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static BigDecimal sumOf(JsonNode array, String field) {
        BigDecimal t = BigDecimal.ZERO;
        for (JsonNode n : array) t = t.add(dec(n.path(field)));
        return t;
    }

    private static BigDecimal sumColumn(List<CSVRecord> rows, int column) {
        BigDecimal t = BigDecimal.ZERO;
        for (CSVRecord rec : rows.subList(1, rows.size())) t = t.add(new BigDecimal(rec.get(column)));
        return t;
    }

    private static BigDecimal dec(JsonNode n) {
        return new BigDecimal(n.asText());
    }

    private static List<CSVRecord> csv(String body) {
        try (CSVParser p = Csv.READ.parse(new StringReader(body))) {
            return p.getRecords();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
