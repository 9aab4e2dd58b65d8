package creditline.app;

import creditline.auth.Member;
import creditline.auth.Role;
import creditline.budget.BudgetSettings;
import creditline.budget.Restrictions;
import creditline.plan.Plan;
import creditline.pricing.Credits;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.store.Store;
import creditline.usage.UsageEvent;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Demo data: real-looking rate cards (token rates with cache rates, flat per-reply models, an
 * unmetered local model, an unpriced preview model), the five example plans, two orgs with
 * members and service accounts, and a month of generated usage. Seeded, so every run is alike.
 */
final class DemoData {
    static final String ACME_ORG = "acme";
    static final String GLOBEX_ORG = "globex";
    static final String ACME_ADMIN = "ada@acme.example";
    static final String ACME_MEMBER = "grace@acme.example";
    private static final int BATCH_EVENTS = 1_000;
    private static final String[] ACTIVITIES = {"chat", "agent", "remote_agent", "cli_agent", "prompt_enhancer", "code_review",
            "context_compression", "system"};
    private static final String[] AGENTS = {"pr-reviewer", "support-bot", "refactor-agent", "test-writer"};

    record Keys(String acmeAdmin, String acmeMember, String globexAdmin) {}

    private record TokenModel(String id, int weight, int inputMean, int outputMean, boolean cache) {}

    private final Store store;
    private final int eventsPerMemberDay;
    private final PrintStream out;
    private final SplittableRandom random = new SplittableRandom(20261123L);

    DemoData(Store store, int eventsPerMemberDay, PrintStream out) {
        this.store = store;
        this.eventsPerMemberDay = eventsPerMemberDay;
        this.out = out;
    }

    Keys load() {
        Instant now = store.clock().instant();
        models(now);
        plans();
        store.createOrg(ACME_ORG, "Acme Corp", "pro");
        store.createOrg(GLOBEX_ORG, "Globex", "hobby");
        List<String> acme = members("acme", "acme.example", List.of("ada", "grace", "linus", "barbara", "ken", "margaret",
                "dennis", "frances", "edsger", "radia", "donald", "sophie"), List.of("SA ci-bot", "SA nightly-eval"));
        List<String> globex = members("globex", "globex.example", List.of("hank", "lisa", "marge", "bart", "homer"), List.of("SA etl"));
        store.putMember("acme", ACME_ADMIN, Role.ADMIN, Member.Type.USER);
        store.grant("acme", Credits.parseMicros("5000"), now.plus(Duration.ofDays(20)), "launch promotion");
        // Budgets before the usage, so the month's alerts are raised as it is generated.
        store.putBudgets("acme", new BudgetSettings(new BudgetSettings.Budget(Credits.parseMicros("30000"), true, true, 80),
                new BudgetSettings.Budget(Credits.parseMicros("1500"), true, true, 80)));
        store.putBudgetOverride("acme", "SA ci-bot", Credits.parseMicros("4000"));
        store.putBudgetOverride("acme", ACME_ADMIN, null);
        store.putRestrictions("globex", null, new Restrictions(null, java.util.Set.of("chat", "agent", "code_review", "system")));
        store.grant("globex", Credits.parseMicros("500"), null, "top-up");
        Keys keys = new Keys(store.createKey("acme", Role.ADMIN, ACME_ADMIN).key(),
                store.createKey("acme", Role.MEMBER, ACME_MEMBER).key(), store.createKey("globex", Role.ADMIN, null).key());
        usage(now, List.of(new OrgUsers("acme", acme), new OrgUsers("globex", globex)));
        return keys;
    }

    private record OrgUsers(String orgId, List<String> members) {}

    private void models(Instant now) {
        Instant longAgo = now.minus(Duration.ofDays(60));
        Instant twoWeeksAgo = now.minus(Duration.ofDays(14)).truncatedTo(ChronoUnit.DAYS);
        // Claude Sonnet got cheaper two weeks ago: events before that keep version 1's price.
        store.putModel("claude-sonnet-4-5", "Claude Sonnet 4.5", "anthropic", false, tokens("330", "1650", "412.5", "33", null), longAgo);
        store.putModel("claude-sonnet-4-5", "Claude Sonnet 4.5", "anthropic", false, tokens("300", "1500", "375", "30", null), twoWeeksAgo);
        store.putModel("claude-opus-4-5", "Claude Opus 4.5", "anthropic", false, tokens("500", "2500", "625", "50", null), longAgo);
        store.putModel("claude-haiku-4-5", "Claude Haiku 4.5", "anthropic", false, tokens("100", "500", "125", "10", null), longAgo);
        store.putModel("gpt-5.1", "GPT-5.1", "openai", false, tokens("125", "1000", null, null, "12.5"), longAgo);
        store.putModel("gpt-4o", "GPT-4o", "openai", false, new Rates(null, null, null, null, null, Credits.parseMicros("5"), null), longAgo);
        store.putModel("gpt-4o-mini", "GPT-4o mini", "openai", false,
                new Rates(null, null, null, null, null, Credits.parseMicros("1"), Credits.parseMicros("0.25")), longAgo);
        store.putModel("local-llama", "Local Llama (self-hosted)", "local", true,
                new Rates(null, null, null, null, null, Credits.parseMicros("1"), null), longAgo);
        store.putModel("preview-model", "Preview model (not priced yet)", "openai", false, Rates.NONE, longAgo);
    }

    private static Rates tokens(String in, String outRate, String cacheWrite, String cacheRead, String cachedInput) {
        return new Rates(micros(in), micros(outRate), micros(cacheWrite), micros(cacheRead), micros(cachedInput), null, null);
    }

    private static Long micros(String credits) {
        return credits == null ? null : Credits.parseMicros(credits);
    }

    private void plans() {
        store.putPlan(new Plan("free", "Free", 0, "USD", Credits.parseMicros("100"), null, Plan.Overage.BLOCK, null,
                List.of("Community support"), false));
        store.putPlan(new Plan("hobby", "Hobby", 1_500, "USD", Credits.parseMicros("2000"), null, Plan.Overage.BLOCK, null,
                List.of("Email support"), false));
        store.putPlan(new Plan("standard", "Standard", 4_900, "USD", Credits.parseMicros("12000"), null, Plan.Overage.ALLOW,
                12_000_000L, List.of("Team budgets", "CSV exports"), false));
        store.putPlan(new Plan("pro", "Pro", 14_900, "USD", Credits.parseMicros("40000"), 2_000_000_000L, Plan.Overage.ALLOW,
                10_000_000L, List.of("Priority support", "Team collaboration", "Usage exports"), false));
        store.putPlan(new Plan("enterprise", "Enterprise", 0, "USD", Credits.parseMicros("250000"), null, Plan.Overage.ALLOW,
                8_000_000L, List.of("Custom credits", "SSO", "Dedicated support"), true));
    }

    private List<String> members(String orgId, String domain, List<String> users, List<String> serviceAccounts) {
        List<String> ids = new ArrayList<>();
        for (String u : users) {
            String id = u + "@" + domain;
            store.putMember(orgId, id, Role.MEMBER, Member.Type.USER);
            ids.add(id);
        }
        for (String sa : serviceAccounts) {
            store.putMember(orgId, sa, Role.MEMBER, Member.Type.SERVICE_ACCOUNT);
            ids.add(sa);
        }
        return ids;
    }

    private void usage(Instant now, List<OrgUsers> orgs) {
        List<TokenModel> models = List.of(new TokenModel("claude-sonnet-4-5", 40, 9_000, 900, true),
                new TokenModel("claude-opus-4-5", 8, 14_000, 1_500, true), new TokenModel("claude-haiku-4-5", 15, 4_000, 400, true),
                new TokenModel("gpt-5.1", 15, 8_000, 1_200, true), new TokenModel("gpt-4o", 6, 2_000, 300, false),
                new TokenModel("gpt-4o-mini", 10, 1_500, 200, false), new TokenModel("local-llama", 4, 2_000, 300, false),
                new TokenModel("preview-model", 2, 3_000, 500, false));
        int weightTotal = models.stream().mapToInt(TokenModel::weight).sum();
        int memberCount = orgs.stream().mapToInt(o -> o.members().size()).sum();
        long expected = (long) memberCount * 30 * eventsPerMemberDay;
        List<UsageEvent> batch = new ArrayList<>(BATCH_EVENTS);
        long generated = 0;
        Instant start = now.minus(Duration.ofDays(30));
        for (int day = 0; day < 30; day++) {
            for (OrgUsers org : orgs) {
                for (String member : org.members()) {
                    int n = random.nextInt(eventsPerMemberDay * 2 + 1);
                    for (int k = 0; k < n; k++) {
                        Instant at = start.plus(Duration.ofDays(day)).plusSeconds(random.nextInt(86_400));
                        if (at.isAfter(now)) continue;
                        batch.add(event(org.orgId(), member, at, pick(models, weightTotal)));
                        if (batch.size() == BATCH_EVENTS) {
                            generated += flush(batch);
                            out.printf("\rgenerating a month of usage: %,d / ~%,d events", generated, expected);
                        }
                    }
                }
            }
        }
        generated += flush(batch);
        out.printf("\rgenerating a month of usage: %,d events done.            %n", generated);
    }

    private TokenModel pick(List<TokenModel> models, int weightTotal) {
        int r = random.nextInt(weightTotal);
        for (TokenModel m : models) {
            r -= m.weight();
            if (r < 0) return m;
        }
        return models.get(0);
    }

    private UsageEvent event(String orgId, String member, Instant at, TokenModel m) {
        long input = m.inputMean() / 2 + random.nextInt(m.inputMean());
        long output = m.outputMean() / 2 + random.nextInt(m.outputMean());
        long cacheRead = m.cache() && random.nextBoolean() ? random.nextInt(m.inputMean() * 3) : 0;
        long cacheWrite = m.cache() && random.nextInt(5) == 0 ? random.nextInt(m.inputMean()) : 0;
        String activity = member.startsWith("SA ") ? "code_review" : ACTIVITIES[random.nextInt(ACTIVITIES.length)];
        boolean agentic = activity.contains("agent") || activity.equals("code_review");
        UsageEvent.Details details = new UsageEvent.Details(agentic ? AGENTS[random.nextInt(AGENTS.length)] : null,
                "conv-" + random.nextInt(5_000), null, null, 300L + random.nextInt(9_000),
                random.nextInt(50) == 0 ? "error" : "success", random.nextBoolean() ? "us-east-1" : "eu-west-1",
                (long) (random.nextInt(20) == 0 ? 1 : 0), agentic ? 1L + random.nextInt(6) : 1L, (long) random.nextInt(3), input * 4, null);
        return new UsageEvent("demo-" + orgId + "-" + Long.toHexString(random.nextLong()), orgId, member, m.id(), activity, at,
                new TokenCounts(input, output, cacheWrite, cacheRead), agentic ? random.nextInt(8) : 0, null,
                random.nextInt(40) == 0, details);
    }

    private long flush(List<UsageEvent> batch) {
        int n = batch.size();
        if (n > 0) store.ingest(List.copyOf(batch));
        batch.clear();
        return n;
    }
}
