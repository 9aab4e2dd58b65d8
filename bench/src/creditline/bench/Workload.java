package creditline.bench;

import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.usage.UsageEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The synthetic usage: K orgs of M members, a handful of models (with and without cache
 * rates), events spread uniformly over orgs and members, provider-native usage objects for a
 * share of them, and the request details an agent backend would send. Deterministic for a seed.
 *
 * <p>Each event exists in two forms built from the same values: the JSON the HTTP client posts,
 * and the {@link UsageEvent} the raw-insert phase binds, so both phases write the same rows.
 */
final class Workload {
    /** Rates are effective from long before any generated event, so every event is priced. */
    static final Instant RATES_EFFECTIVE_FROM = Instant.parse("2020-01-01T00:00:00Z");
    static final String PLAN_ID = "bench-plan";

    /** A model as the bench configures it; {@code share} is its weight in the traffic. */
    record BenchModel(String id, String provider, Rates rates, int share) {
        Model asModel() {
            return new Model(id, id, provider, List.of(new RateVersion(1, RATES_EFFECTIVE_FROM, rates, false)));
        }

        String putBody() {
            StringBuilder b = new StringBuilder("{\"name\":\"").append(id).append("\",\"provider\":\"").append(provider)
                    .append("\",\"effectiveFrom\":\"").append(RATES_EFFECTIVE_FROM).append("\",\"rates\":{");
            String sep = "";
            for (var r : Map.of("creditInputPer1M", nullable(rates.inputPer1MMicros()), "creditOutputPer1M", nullable(rates.outputPer1MMicros()),
                    "creditCacheWritePer1M", nullable(rates.cacheWritePer1MMicros()), "creditCacheReadPer1M", nullable(rates.cacheReadPer1MMicros()),
                    "creditCachedInputPer1M", nullable(rates.cachedInputPer1MMicros()), "creditPerToolCall", nullable(rates.perToolCallMicros())).entrySet()) {
                if (r.getValue() < 0) continue;
                b.append(sep).append('"').append(r.getKey()).append("\":\"").append(micros(r.getValue())).append('"');
                sep = ",";
            }
            return b.append("}}").toString();
        }

        private static long nullable(Long v) { return v == null ? -1 : v; }

        private static String micros(long m) {
            return m / 1_000_000 + "." + String.format("%06d", m % 1_000_000);
        }
    }

    /** Credits per 1M tokens (as micro-credits), 1 credit = 1 US cent: list prices of late 2025. */
    static final List<BenchModel> MODELS = List.of(
            new BenchModel("claude-sonnet-4-5", "anthropic", new Rates(300_000_000L, 1_500_000_000L, 375_000_000L, 30_000_000L, null, null, 1_000_000L), 35),
            new BenchModel("claude-haiku-4-5", "anthropic", new Rates(100_000_000L, 500_000_000L, 125_000_000L, 10_000_000L, null, null, null), 15),
            new BenchModel("gpt-5", "openai", new Rates(125_000_000L, 1_000_000_000L, null, null, 12_500_000L, null, null), 25),
            new BenchModel("gpt-5-mini", "openai", new Rates(25_000_000L, 200_000_000L, null, null, 2_500_000L, null, null), 15),
            new BenchModel("gemini-2.5-pro", "google", new Rates(125_000_000L, 1_000_000_000L, null, 31_000_000L, null, null, null), 10));

    private static final String[] ACTIVITIES = {"chat", "agent", "code_review", "completion", "agent", "chat", "agent"};
    private static final String[] AGENTS = {"coder", "reviewer", "planner", "support-bot", "triage"};
    private static final String[] REGIONS = {"us-east-1", "eu-west-1", "ap-southeast-2"};
    private static final String[] TASKS = {"fix-tests", "refactor", "summarize-thread", "answer-ticket", "write-docs", "review-pr"};

    /** One generated event; {@code tokens} are the billed buckets, {@code form} how the usage is sent. */
    record Event(String id, int org, int member, BenchModel model, String activity, Instant occurredAt, TokenCounts tokens,
                 int form, long toolCalls, String agent, String conversation, String task, String session, long latencyMs,
                 String status, String region, long retries, long iterations, long externalCalls, long contextBytes, String metadataJson) {
        static final int FORM_TOKENS = 0, FORM_OPENAI = 1, FORM_ANTHROPIC = 2;
    }

    private final int orgs;
    private final int members;
    private final boolean sequentialIds;

    Workload(int orgs, int members, boolean sequentialIds) {
        this.orgs = orgs;
        this.members = members;
        this.sequentialIds = sequentialIds;
    }

    int orgs() { return orgs; }

    int members() { return members; }

    static String orgId(int org) { return String.format("bench-org-%03d", org); }

    /** The org the raw-insert phase writes the same rows under, so keys cannot collide. */
    static String rawOrgId(int org) { return String.format("raw-org-%03d", org); }

    static String memberId(int org, int member) { return String.format("user%04d@org%03d.example.com", member, org); }

    /** How far before {@code now} the generated stream starts. */
    private static final long SPAN_MILLIS = 10 * 60_000;

    /**
     * {@code count} events with ids unique across calls with different {@code idPrefix};
     * occurredAt rising through the 10 minutes before {@code now}, each up to a minute late.
     */
    List<Event> events(long seed, String idPrefix, int count, Instant now) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int totalShare = MODELS.stream().mapToInt(BenchModel::share).sum();
        List<Event> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            int org = rnd.nextInt(orgs);
            int member = rnd.nextInt(members);
            int pick = rnd.nextInt(totalShare);
            BenchModel model = null;
            for (BenchModel m : MODELS) {
                pick -= m.share();
                if (pick < 0) { model = m; break; }
            }
            String id = sequentialIds
                    ? idPrefix + String.format("%010d", n)
                    : idPrefix + hex(rnd.nextLong()) + hex(rnd.nextLong());
            // A live stream: occurredAt advances through the window along the sequence, each event
            // reported up to a minute late.
            long atMillis = -SPAN_MILLIS + SPAN_MILLIS * n / Math.max(1, count) - rnd.nextLong(60_000);
            Instant occurredAt = now.plusMillis(atMillis).truncatedTo(ChronoUnit.MILLIS);
            long input = 200 + rnd.nextLong(12_000);
            long output = 20 + rnd.nextLong(2_000);
            long cacheRead = rnd.nextInt(3) == 0 ? 0 : rnd.nextLong(60_000);
            long cacheWrite = model.provider().equals("anthropic") && rnd.nextInt(4) == 0 ? rnd.nextLong(8_000) : 0;
            int form = switch (model.provider()) {
                case "openai" -> rnd.nextBoolean() ? Event.FORM_OPENAI : Event.FORM_TOKENS;
                case "anthropic" -> rnd.nextBoolean() ? Event.FORM_ANTHROPIC : Event.FORM_TOKENS;
                default -> Event.FORM_TOKENS;
            };
            TokenCounts tokens = new TokenCounts(input, output, cacheWrite, cacheRead);
            String activity = ACTIVITIES[rnd.nextInt(ACTIVITIES.length)];
            boolean agentic = activity.equals("agent");
            String metadata = "{\"client\":\"ide\",\"clientVersion\":\"1." + rnd.nextInt(60) + ".0\",\"repo\":\"repo-" + rnd.nextInt(500) + "\"}";
            out.add(new Event(id, org, member, model, activity, occurredAt, tokens, form,
                    agentic ? rnd.nextLong(8) : 0,
                    agentic ? AGENTS[rnd.nextInt(AGENTS.length)] : null,
                    "conv-" + hex(rnd.nextLong()),
                    agentic ? TASKS[rnd.nextInt(TASKS.length)] : null,
                    "sess-" + hex(rnd.nextLong()).substring(0, 10),
                    150 + rnd.nextLong(30_000),
                    rnd.nextInt(50) == 0 ? "error" : "success",
                    REGIONS[rnd.nextInt(REGIONS.length)],
                    rnd.nextInt(20) == 0 ? 1 : 0,
                    agentic ? 1 + rnd.nextLong(12) : 1,
                    agentic ? rnd.nextLong(4) : 0,
                    input * 4 + rnd.nextLong(1_000),
                    metadata));
        }
        return out;
    }

    private static String hex(long v) {
        String s = Long.toHexString(v);
        return "0".repeat(16 - s.length()) + s;
    }

    /** {@code {"events":[...]}} for the given slice, UTF-8. */
    static byte[] batchJson(List<Event> events) {
        StringBuilder b = new StringBuilder(events.size() * 700);
        b.append("{\"events\":[");
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) b.append(',');
            appendJson(b, events.get(i));
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    static void appendJson(StringBuilder b, Event e) {
        b.append("{\"id\":\"").append(e.id())
                .append("\",\"orgId\":\"").append(orgId(e.org()))
                .append("\",\"memberId\":\"").append(memberId(e.org(), e.member()))
                .append("\",\"model\":\"").append(e.model().id())
                .append("\",\"activity\":\"").append(e.activity())
                .append("\",\"occurredAt\":\"").append(e.occurredAt()).append('"');
        TokenCounts t = e.tokens();
        switch (e.form()) {
            case Event.FORM_OPENAI -> // prompt_tokens include the cached ones
                    b.append(",\"openaiUsage\":{\"prompt_tokens\":").append(t.input() + t.cacheRead())
                            .append(",\"completion_tokens\":").append(t.output())
                            .append(",\"total_tokens\":").append(t.input() + t.cacheRead() + t.output())
                            .append(",\"prompt_tokens_details\":{\"cached_tokens\":").append(t.cacheRead()).append("}}");
            case Event.FORM_ANTHROPIC ->
                    b.append(",\"anthropicUsage\":{\"input_tokens\":").append(t.input())
                            .append(",\"output_tokens\":").append(t.output())
                            .append(",\"cache_creation_input_tokens\":").append(t.cacheWrite())
                            .append(",\"cache_read_input_tokens\":").append(t.cacheRead()).append('}');
            default ->
                    b.append(",\"tokens\":{\"input\":").append(t.input()).append(",\"output\":").append(t.output())
                            .append(",\"cacheWrite\":").append(t.cacheWrite()).append(",\"cacheRead\":").append(t.cacheRead()).append('}');
        }
        if (e.toolCalls() > 0) b.append(",\"toolCalls\":").append(e.toolCalls());
        if (e.agent() != null) b.append(",\"agent\":\"").append(e.agent()).append('"');
        b.append(",\"conversation\":\"").append(e.conversation()).append('"');
        if (e.task() != null) b.append(",\"task\":\"").append(e.task()).append('"');
        b.append(",\"session\":\"").append(e.session())
                .append("\",\"latencyMs\":").append(e.latencyMs())
                .append(",\"status\":\"").append(e.status())
                .append("\",\"region\":\"").append(e.region())
                .append("\",\"retries\":").append(e.retries())
                .append(",\"iterations\":").append(e.iterations())
                .append(",\"externalCalls\":").append(e.externalCalls())
                .append(",\"contextBytes\":").append(e.contextBytes())
                .append(",\"metadata\":").append(e.metadataJson())
                .append('}');
    }

    /** The same event as the server parses it, under {@code orgId}. */
    static UsageEvent usageEvent(Event e, String orgId) {
        UsageEvent.Details d = new UsageEvent.Details(e.agent(), e.conversation(), e.task(), e.session(), e.latencyMs(), e.status(),
                e.region(), e.retries(), e.iterations(), e.externalCalls(), e.contextBytes(), e.metadataJson());
        return new UsageEvent(e.id(), orgId, memberId(e.org(), e.member()), e.model().id(), e.activity(), e.occurredAt(), e.tokens(),
                e.toolCalls(), null, false, d);
    }
}
