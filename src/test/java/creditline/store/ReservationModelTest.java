package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.app.Config;
import creditline.app.Creditline;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.budget.BudgetSettings;
import creditline.budget.Decision;
import creditline.budget.Reason;
import creditline.common.Failure;
import creditline.plan.Plan;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings of authorize, reserve, usage (settling holds), release and expiry,
 * checked step by step against a small reference model (an "auditor"): the real remaining
 * amounts equal the model's after every step, and consumed + reserved never exceeds an
 * enforced budget or the hard-limit plan's credits. Replay with {@code -Dcreditline.seed=N}.
 */
class ReservationModelTest {
    static final Instant START = Instant.parse("2026-11-10T08:00:00Z");
    static final long TTL_SECONDS = 600;
    static final List<String> MEMBERS = List.of("a@x.io", "b@x.io", "c@x.io");
    static final long PLAN = c("100");
    static final long ORG_BUDGET = c("60");
    static final long MEMBER_BUDGET = c("25");

    static long c(String credits) {
        return Credits.parseMicros(credits);
    }

    /** The auditor: what the ledger must say, computed the simplest way. */
    static final class Model {
        final Map<String, Long> consumed = new LinkedHashMap<>();
        final List<Hold> holds = new ArrayList<>();
        Instant now = START;

        record Hold(String id, String member, long amount, Instant expiresAt) {}

        long orgConsumed() { return consumed.values().stream().mapToLong(Long::longValue).sum(); }

        List<Hold> open() { return holds.stream().filter(h -> h.expiresAt().isAfter(now)).toList(); }

        long orgReserved() { return open().stream().mapToLong(Hold::amount).sum(); }

        long memberReserved(String m) { return open().stream().filter(h -> h.member().equals(m)).mapToLong(Hold::amount).sum(); }

        long balance() { return Math.max(0, PLAN - orgConsumed()) - orgReserved(); }

        long orgRemaining() { return ORG_BUDGET - orgConsumed() - orgReserved(); }

        long memberRemaining(String m) { return MEMBER_BUDGET - consumed.getOrDefault(m, 0L) - memberReserved(m); }

        Reason decide(String m, long estimate) {
            if (!(balance() > 0 && balance() >= estimate)) return Reason.CREDITS_EXHAUSTED;
            if (!(orgRemaining() > 0 && orgRemaining() >= estimate)) return Reason.ORG_BUDGET_EXHAUSTED;
            if (!(memberRemaining(m) > 0 && memberRemaining(m) >= estimate)) return Reason.MEMBER_BUDGET_EXHAUSTED;
            return Reason.OK;
        }
    }

    @Test
    void realLedgerFollowsTheReferenceModel() {
        long seed = Seeds.seed("ReservationModelTest.realLedgerFollowsTheReferenceModel");
        SplittableRandom r = new SplittableRandom(seed);
        MutableClock clock = new MutableClock(START);
        Config config = TestConfig.of(Databases.freshSqlite());
        Store store = Creditline.openStore(config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            store.putPlan(new Plan("hard", "Hard", 0, "USD", PLAN, null, Plan.Overage.BLOCK, null, List.of(), false));
            // 1 credit per 1,000 input tokens: a charge of k/100 credits is 10*k tokens.
            store.putModel("m", "m", "p", false, new Rates(c("1000"), null, null, null, null, null, null), null);
            store.createOrg("o", "o", "hard");
            for (String m : MEMBERS) store.putMember("o", m, Role.MEMBER, Member.Type.USER);
            store.putBudgets("o", new BudgetSettings(new BudgetSettings.Budget(ORG_BUDGET, true, false, 80),
                    new BudgetSettings.Budget(MEMBER_BUDGET, true, false, 80)));
            Model model = new Model();
            int events = 0;
            for (int step = 0; step < 400; step++) {
                String member = MEMBERS.get(r.nextInt(MEMBERS.size()));
                String what;
                switch (r.nextInt(6)) {
                    case 0 -> {
                        long estimate = r.nextLong(1, 1_500) * 10_000L;
                        what = "authorize " + member + " " + estimate;
                        Decision d = store.authorize("o", member, "m", "chat", estimate, null).decision();
                        assertThat(d.reason()).as("%s at step %d, %s", what, step, Seeds.replay(seed)).isEqualTo(model.decide(member, estimate));
                    }
                    case 1, 2 -> {
                        long estimate = r.nextLong(1, 1_500) * 10_000L;
                        what = "reserve " + member + " " + estimate;
                        Store.Authorization a = store.authorize("o", member, "m", "chat", estimate, TTL_SECONDS);
                        Reason expected = model.decide(member, estimate);
                        assertThat(a.decision().reason()).as("%s at step %d, %s", what, step, Seeds.replay(seed)).isEqualTo(expected);
                        if (expected == Reason.OK) model.holds.add(new Model.Hold(a.reservation().id(), member, estimate, model.now.plusSeconds(TTL_SECONDS)));
                    }
                    case 3 -> {
                        List<Model.Hold> open = model.open();
                        if (open.isEmpty()) continue;
                        Model.Hold h = open.get(r.nextInt(open.size()));
                        long actual = r.nextLong(0, h.amount() / 10_000L + 1) * 10_000L; // at most the estimate: a disciplined client
                        what = "settle " + h.id() + " with " + actual;
                        UsageEvent e = new UsageEvent("e" + events++, "o", h.member(), "m", "chat", model.now,
                                new TokenCounts(actual / 1_000, 0, 0, 0), 0, h.id(), false, UsageEvent.Details.NONE);
                        assertThat(store.ingest(List.of(e))).extracting(EventOutcome::creditsMicros).containsExactly(actual);
                        model.holds.remove(h);
                        model.consumed.merge(h.member(), actual, Long::sum);
                    }
                    case 4 -> {
                        if (model.holds.isEmpty()) continue;
                        Model.Hold h = model.holds.get(r.nextInt(model.holds.size()));
                        what = "release " + h.id();
                        boolean open = h.expiresAt().isAfter(model.now);
                        try {
                            store.release(h.id());
                            assertThat(open).as("%s released an expired hold, %s", what, Seeds.replay(seed)).isTrue();
                        } catch (Failure f) {
                            assertThat(open).as("%s: %s, %s", what, f.getMessage(), Seeds.replay(seed)).isFalse();
                        }
                        model.holds.remove(h);
                    }
                    default -> {
                        long seconds = r.nextLong(1, 400);
                        what = "advance " + seconds + "s";
                        clock.advance(Duration.ofSeconds(seconds));
                        model.now = clock.instant();
                    }
                }
                for (String m : MEMBERS) {
                    Decision d = store.authorize("o", m, "m", "chat", 0, null).decision();
                    String at = what + " (step " + step + "), " + Seeds.replay(seed);
                    assertThat(d.balanceRemainingMicros()).as("balance after %s", at).isEqualTo(model.balance());
                    assertThat(d.orgBudgetRemainingMicros()).as("org budget after %s", at).isEqualTo(model.orgRemaining());
                    assertThat(d.memberBudgetRemainingMicros()).as("member budget of %s after %s", m, at).isEqualTo(model.memberRemaining(m));
                    assertThat(model.consumed.getOrDefault(m, 0L) + model.memberReserved(m)).as(at).isLessThanOrEqualTo(MEMBER_BUDGET);
                }
                assertThat(model.orgConsumed() + model.orgReserved()).isLessThanOrEqualTo(Math.min(ORG_BUDGET, PLAN));
            }
            assertThat(store.reconcile("o").balanced()).isTrue();
        } finally {
            store.close();
            store.database().close();
        }
    }
}
