package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.app.Config;
import creditline.app.Creditline;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.budget.BudgetSettings;
import creditline.ledger.CreditBucket;
import creditline.plan.Plan;
import creditline.plan.Subscription;
import creditline.pricing.Credits;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.testing.TestConfig;
import creditline.testing.Databases;
import creditline.testing.MutableClock;
import creditline.testing.Seeds;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded random properties of ingest (replay a failure with {@code -Dcreditline.seed=N}):
 * resending any subset changes nothing; one batch of N equals N single posts (and any other
 * split); every charged micro-credit is in a bucket or in overage, and the balance moves by
 * exactly the charges the buckets covered.
 */
class IngestPropertiesTest {
    static final Instant NOW = Instant.parse("2026-11-20T12:00:00Z");
    static final Instant MONTH_START = Instant.parse("2026-11-01T00:00:00Z");
    static final List<String> ORGS = List.of("free-org", "pro-org", "grant-org", "rolling-org");
    static final List<String> MODELS = List.of("sonnet", "cached", "reply", "local", "unpriced", "dated");
    static final int MEMBERS = 4;

    private final MutableClock clock = new MutableClock(NOW);

    private Store open() {
        Config config = TestConfig.of(Databases.freshSqlite());
        Store store = Creditline.openStore(config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        store.putPlan(new Plan("free", "Free", 0, "USD", Credits.parseMicros("100"), null, Plan.Overage.BLOCK, null, List.of(), false));
        store.putPlan(new Plan("pro", "Pro", 0, "USD", Credits.parseMicros("2000"), null, Plan.Overage.ALLOW, null, List.of(), false));
        Instant old = NOW.minus(Duration.ofDays(90));
        store.putModel("sonnet", "s", "a", false, new Rates(m("300"), m("1500"), m("375"), m("30"), null, null, null), old);
        store.putModel("cached", "c", "o", false, new Rates(m("125"), m("1000"), null, null, m("12.5"), null, m("0.3")), old);
        store.putModel("reply", "r", "o", false, new Rates(null, null, null, null, null, m("5"), m("0.25")), old);
        store.putModel("local", "l", "l", true, new Rates(null, null, null, null, null, m("1"), null), old);
        store.putModel("unpriced", "u", "o", false, Rates.NONE, old);
        store.putModel("dated", "d", "o", false, new Rates(m("1000"), m("1000"), null, null, null, null, null), old);
        store.putModel("dated", "d", "o", false, new Rates(m("10"), m("10"), null, null, null, null, null), NOW.minus(Duration.ofDays(10)));
        store.createOrg("free-org", "f", "free");
        store.createOrg("pro-org", "p", "pro");
        store.createOrg("grant-org", "g", "free");
        // On a rollover plan since October: November's allotment carries what October left, as drawn in event order.
        store.putPlan(new Plan("rolling", "Rolling", 0, "USD", Credits.parseMicros("300"), null, Plan.Overage.ALLOW, null, List.of(), true));
        clock.set(Instant.parse("2026-10-02T00:00:00Z"));
        store.createOrg("rolling-org", "r", "rolling");
        clock.set(NOW);
        store.grant("grant-org", m("40"), NOW.plus(Duration.ofDays(3)), "soon");
        store.grant("grant-org", m("60"), null, "forever");
        for (String org : ORGS) for (int i = 0; i < MEMBERS; i++) store.putMember(org, "m" + i + "@x.io", Role.MEMBER, Member.Type.USER);
        // Budgets that alert (track-only, so they refuse nothing): a member with none to spend
        // reaches its thresholds with any usage of the period, another soon.
        for (String org : ORGS) {
            store.putBudgets(org, new BudgetSettings(new BudgetSettings.Budget(m("600"), false, true, 50),
                    new BudgetSettings.Budget(m("150"), false, true, 80)));
            store.putBudgetOverride(org, "m0@x.io", 0L);
            store.putBudgetOverride(org, "m1@x.io", m("20"));
        }
        return store;
    }

    private static long m(String credits) {
        return Credits.parseMicros(credits);
    }

    private static List<UsageEvent> events(SplittableRandom r, int n, Duration spread) {
        List<UsageEvent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String org = ORGS.get(r.nextInt(ORGS.size()));
            long back = r.nextLong(spread.toSeconds());
            boolean bigCall = r.nextInt(10) == 0;
            TokenCounts t = new TokenCounts(r.nextLong(bigCall ? 400_000 : 20_000), r.nextLong(4_000), r.nextInt(4) == 0 ? r.nextLong(10_000) : 0,
                    r.nextBoolean() ? r.nextLong(50_000) : 0);
            int member = r.nextInt(MEMBERS);
            Instant at = NOW.minusSeconds(back);
            // When the spread reaches last month, m0 (a budget of 0) has usage there only: this
            // month's budget has nothing to alert about, whatever else a batch holds.
            if (member == 0 && spread.compareTo(Duration.between(MONTH_START, NOW)) > 0 && !at.isBefore(MONTH_START)) {
                at = MONTH_START.minusSeconds(1 + r.nextLong(Duration.between(NOW.minus(spread), MONTH_START).toSeconds()));
            }
            out.add(new UsageEvent("ev-" + i, org, "m" + member + "@x.io", MODELS.get(r.nextInt(MODELS.size())), "chat",
                    at, t, r.nextInt(3), null, r.nextInt(15) == 0, UsageEvent.Details.NONE));
        }
        return out;
    }

    /** Posts the events in chunks of random size (1..chunkMax); returns every outcome. */
    private static List<EventOutcome> post(Store store, List<UsageEvent> events, SplittableRandom r, int chunkMax) {
        List<EventOutcome> out = new ArrayList<>();
        for (int from = 0; from < events.size(); ) {
            int to = Math.min(events.size(), from + 1 + r.nextInt(chunkMax));
            out.addAll(store.ingest(events.subList(from, to)));
            from = to;
        }
        return out;
    }

    /** Everything observable about the ledger of every org. */
    private static Map<String, Object> state(Store store) {
        Map<String, Object> s = new LinkedHashMap<>();
        for (String org : ORGS) {
            Subscription sub = store.subscription(org);
            s.put(org + ".balance", sub.balance().creditsMicros());
            s.put(org + ".allotment", sub.allotmentMicros());
            s.put(org + ".grants", sub.balance().grants().stream().map(CreditBucket::remainingMicros).toList());
            s.put(org + ".used", sub.creditsUsedMicros());
            s.put(org + ".overage", sub.overageMicros());
            s.put(org + ".tokens", List.of(sub.inputTokens(), sub.outputTokens(), sub.cacheWriteTokens(), sub.cacheReadTokens(), sub.events()));
            s.put(org + ".reconciliation", store.reconcile(org));
            // Budget alerts: once per threshold per budget per month, whichever batch crossed it.
            s.put(org + ".budgetAlerts", store.notifications(org, null, 1_000).stream().filter(n -> n.kind().startsWith("BUDGET_"))
                    .map(n -> n.kind() + " " + n.scope() + " " + n.memberId() + " " + n.thresholdPercent() + " " + n.periodStart())
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new)));
        }
        return s;
    }

    private static void close(Store store) {
        store.close();
        store.database().close();
    }

    @Test
    void resendingAnySubsetChangesNothing() {
        long seed = Seeds.seed("IngestPropertiesTest.resendingAnySubsetChangesNothing");
        SplittableRandom r = new SplittableRandom(seed);
        Store store = open();
        try {
            for (int round = 0; round < 3; round++) {
                String suffix = "-round" + round;
                List<UsageEvent> renamed = events(r, 150, Duration.ofDays(30)).stream().map(e -> withId(e, e.id() + suffix)).toList();
                List<EventOutcome> first = post(store, renamed, r, 40);
                Map<String, Long> charged = new LinkedHashMap<>();
                for (int i = 0; i < renamed.size(); i++) charged.put(renamed.get(i).orgId() + "/" + renamed.get(i).id(), first.get(i).creditsMicros());
                Map<String, Object> before = state(store);
                for (int resend = 0; resend < 3; resend++) {
                    List<UsageEvent> subset = new ArrayList<>();
                    for (UsageEvent e : renamed) if (r.nextBoolean()) subset.add(e);
                    Collections.shuffle(subset, new java.util.Random(r.nextLong()));
                    List<EventOutcome> again = post(store, subset, r, 60);
                    for (int i = 0; i < subset.size(); i++) {
                        assertThat(again.get(i).status()).as(Seeds.replay(seed)).isEqualTo(EventOutcome.Status.DUPLICATE);
                        assertThat(again.get(i).creditsMicros()).as(Seeds.replay(seed))
                                .isEqualTo(charged.get(subset.get(i).orgId() + "/" + subset.get(i).id()));
                    }
                    assertThat(state(store)).as(Seeds.replay(seed)).isEqualTo(before);
                }
            }
        } finally {
            close(store);
        }
    }

    private static UsageEvent withId(UsageEvent e, String id) {
        return new UsageEvent(id, e.orgId(), e.memberId(), e.modelId(), e.activity(), e.occurredAt(), e.tokens(), e.toolCalls(),
                e.reservationId(), e.byoKey(), e.details());
    }

    @Test
    void oneBatchEqualsSinglePostsEqualsAnySplit() {
        long seed = Seeds.seed("IngestPropertiesTest.oneBatchEqualsSinglePostsEqualsAnySplit");
        SplittableRandom r = new SplittableRandom(seed);
        List<UsageEvent> events = events(r, 400, Duration.ofDays(34));
        // Some ids repeat inside the stream: the later copies are duplicates wherever the split falls.
        for (int i = 0; i < 20; i++) events.set(r.nextInt(events.size()), events.get(r.nextInt(events.size())));
        Store batch = open();
        Store singles = open();
        Store split = open();
        try {
            List<EventOutcome> a = batch.ingest(events);
            List<EventOutcome> b = post(singles, events, r, 1);
            List<EventOutcome> c = post(split, events, r, 97);
            assertThat(b).as(Seeds.replay(seed)).isEqualTo(a);
            assertThat(c).as(Seeds.replay(seed)).isEqualTo(a);
            Map<String, Object> expected = state(batch);
            assertThat(state(singles)).as(Seeds.replay(seed)).isEqualTo(expected);
            assertThat(state(split)).as(Seeds.replay(seed)).isEqualTo(expected);
        } finally {
            close(batch);
            close(singles);
            close(split);
        }
    }

    @Test
    void chargesAreConservedAndMoveTheBalanceExactly() {
        long seed = Seeds.seed("IngestPropertiesTest.chargesAreConservedAndMoveTheBalanceExactly");
        SplittableRandom r = new SplittableRandom(seed);
        Store store = open();
        try {
            Map<String, Long> before = new LinkedHashMap<>();
            for (String org : ORGS) before.put(org, store.balance(org).creditsMicros());
            // This month only (Nov 1 .. now), so every bucket the events draw is still valid now.
            List<UsageEvent> events = events(r, 500, Duration.ofDays(19));
            List<EventOutcome> out = post(store, events, r, 120);
            for (String org : ORGS) {
                long charged = 0;
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).orgId().equals(org) && out.get(i).status() == EventOutcome.Status.ACCEPTED) charged += out.get(i).creditsMicros();
                }
                Store.Reconciliation rec = store.reconcile(org);
                assertThat(rec.balanced()).as("%s %s %s", org, rec, Seeds.replay(seed)).isTrue();
                assertThat(rec.eventsChargedMicros()).as(Seeds.replay(seed)).isEqualTo(charged);
                Subscription sub = store.subscription(org);
                assertThat(sub.creditsUsedMicros()).as(Seeds.replay(seed)).isEqualTo(charged);
                assertThat(before.get(org) - sub.balance().creditsMicros()).as(Seeds.replay(seed)).isEqualTo(charged - sub.overageMicros());
            }
        } finally {
            close(store);
        }
    }
}
