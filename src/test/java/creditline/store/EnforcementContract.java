package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.auth.Member;
import creditline.auth.Role;
import creditline.budget.BudgetSettings;
import creditline.budget.Reason;
import creditline.budget.Restrictions;
import creditline.common.Failure;
import creditline.pricing.TokenCounts;
import creditline.testing.Concurrently;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Budgets, reservations, restrictions and alerts, on every database. */
abstract class EnforcementContract extends StoreFixture {
    static final long TTL = 600;

    void memberBudget(String org, String credits, boolean enforce) {
        store.putBudgets(org, new BudgetSettings(BudgetSettings.Budget.UNLIMITED,
                new BudgetSettings.Budget(credits == null ? null : micros(credits), enforce, true, 80)));
    }

    Store.Authorization reserve(Store s, String org, String credits) {
        return s.authorize(org, "a@x.io", "reply", "chat", micros(credits), TTL);
    }

    UsageEvent settle(String id, String org, String reservationId, String model, long inputTokens) {
        return new UsageEvent(id, org, "a@x.io", model, "chat", clock.instant(), new TokenCounts(inputTokens, 0, 0, 0), 0, reservationId,
                false, UsageEvent.Details.NONE);
    }

    /**
     * One post settling a thousand holds (a backfill): every hold settles and its credits are free
     * again (on PostgreSQL more settlements than go in the batch's one multi-statement query).
     */
    @Test
    void onePostSettlesThousandsOfHolds() throws Exception {
        org("o1", "pro");
        int holds = 1_200;
        int threads = 16;
        List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
        Concurrently.run(threads, t -> {
            for (int i = 0; i < holds / threads; i++) ids.add(reserve(store, "o1", "1").reservation().id());
        });
        assertThat(store.balance("o1").reservedMicros()).isEqualTo(micros("1") * holds);
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < holds; i++) events.add(settle("bulk-" + i, "o1", ids.get(i), "reply", 0));
        assertThat(store.ingest(events)).extracting(EventOutcome::status).containsOnly(EventOutcome.Status.ACCEPTED);
        assertThat(store.balance("o1").reservedMicros()).isZero();
        assertThat(store.reservation(ids.get(0)).status()).isEqualTo("SETTLED");
        assertThat(store.reservation(ids.get(holds - 1)).status()).isEqualTo("SETTLED");
    }

    @Test
    void reservationsHoldUntilSettledReleasedOrExpired() {
        org("o1", "pro");
        memberBudget("o1", "10", true);
        Store.Authorization first = reserve(store, "o1", "6");
        assertThat(first.decision().allowed()).isTrue();
        assertThat(first.decision().memberBudgetRemainingMicros()).isEqualTo(micros("10"));
        assertThat(reserve(store, "o1", "5").decision().reason()).isEqualTo(Reason.MEMBER_BUDGET_EXHAUSTED);
        assertThat(store.balance("o1").reservedMicros()).isEqualTo(micros("6"));

        // The actual charge replaces the hold, even above the estimate: 7 credits on a 6-credit hold.
        store.ingest(List.of(settle("e1", "o1", first.reservation().id(), "sonnet", 23_334)));
        assertThat(store.reservation(first.reservation().id()).status()).isEqualTo("SETTLED");
        assertThat(store.balance("o1").reservedMicros()).isZero();
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros()).isEqualTo(micros("3"));

        Store.Authorization second = reserve(store, "o1", "3");
        assertThat(second.decision().allowed()).isTrue();
        assertThat(reserve(store, "o1", "1").decision().allowed()).isFalse();
        store.release(second.reservation().id());
        assertThat(store.reservation(second.reservation().id()).status()).isEqualTo("RELEASED");
        assertThatThrownBy(() -> store.release(second.reservation().id())).isInstanceOf(Failure.class).hasMessageContaining("already released");

        Store.Authorization third = reserve(store, "o1", "3");
        assertThat(reserve(store, "o1", "1").decision().allowed()).isFalse();
        clock.advance(Duration.ofSeconds(TTL + 1));
        assertThat(store.reservation(third.reservation().id()).status()).isEqualTo("EXPIRED");
        assertThat(reserve(store, "o1", "3").decision().allowed()).isTrue();
        assertThatThrownBy(() -> store.release(third.reservation().id())).hasMessageContaining("already expired");
        assertThatThrownBy(() -> store.release("rsv.bm9wZQ.00")).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> store.release("garbage")).hasMessageContaining("does not exist");
    }

    @Test
    void suspendedOrgsAreRefusedButTheirUsageIsRecorded() {
        org("o1", "pro");
        store.setOrgStatus("o1", "suspended");
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().reason()).isEqualTo(Reason.ORG_SUSPENDED);
        assertThat(reserve(store, "o1", "1").reservation()).isNull();
        assertThat(store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", NOW, 0, 0))).get(0).status())
                .isEqualTo(creditline.usage.EventOutcome.Status.ACCEPTED);
        store.setOrgStatus("o1", "active");
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().allowed()).isTrue();
        assertThatThrownBy(() -> store.setOrgStatus("o1", "frozen")).hasMessageContaining("active or suspended");
    }

    @Test
    void hardLimitPlansHoldTheBalance() {
        org("o1", "free");
        assertThat(reserve(store, "o1", "60").decision().allowed()).isTrue();
        Store.Authorization d = reserve(store, "o1", "50");
        assertThat(d.decision().reason()).isEqualTo(Reason.CREDITS_EXHAUSTED);
        assertThat(d.reservation()).isNull();
        assertThat(d.decision().balanceRemainingMicros()).isEqualTo(micros("40"));
    }

    @Test
    void enforcedOrgBudgetBlocksEveryMemberTrackOnlyNone() {
        org("o1", "pro");
        store.putMember("o1", "b@x.io", Role.MEMBER, Member.Type.USER);
        store.putBudgets("o1", new BudgetSettings(new BudgetSettings.Budget(micros("10"), true, false, 80), BudgetSettings.Budget.UNLIMITED));
        store.ingest(List.of(event("e1", "o1", "b@x.io", "reply", NOW, 0, 0), event("e2", "o1", "b@x.io", "reply", NOW, 0, 0)));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().reason()).isEqualTo(Reason.ORG_BUDGET_EXHAUSTED);
        store.putBudgets("o1", new BudgetSettings(new BudgetSettings.Budget(micros("10"), false, false, 80), BudgetSettings.Budget.UNLIMITED));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().allowed()).isTrue();
    }

    @Test
    void overridesTakePrecedenceAndClearingFallsBack() {
        org("o1", "pro");
        memberBudget("o1", "5", true);
        store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", NOW, 0, 0)));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().reason()).isEqualTo(Reason.MEMBER_BUDGET_EXHAUSTED);
        store.putBudgetOverride("o1", "a@x.io", micros("20"));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros()).isEqualTo(micros("15"));
        store.putBudgetOverride("o1", "a@x.io", null);
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros()).isNull();
        store.deleteBudgetOverride("o1", "a@x.io");
        assertThatThrownBy(() -> store.deleteBudgetOverride("o1", "a@x.io")).hasMessageContaining("has no budget override");
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().allowed()).isFalse();
        // A new month starts a fresh budget with no reset job.
        clock.set(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros()).isEqualTo(micros("5"));
    }

    @Test
    void restrictedUsageIsRecordedAndFlagged() throws Exception {
        org("o1", "pro");
        store.putRestrictions("o1", null, new Restrictions(Set.of("reply"), null));
        store.putRestrictions("o1", "a@x.io", new Restrictions(null, Set.of("chat")));
        assertThat(store.authorize("o1", "a@x.io", "sonnet", "chat", 0, null).decision().reason()).isEqualTo(Reason.MODEL_NOT_ALLOWED);
        assertThat(store.authorize("o1", "a@x.io", "reply", "agent", 0, null).decision().reason()).isEqualTo(Reason.ACTIVITY_NOT_ALLOWED);
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().allowed()).isTrue();
        store.ingest(List.of(event("bad", "o1", "a@x.io", "sonnet", NOW, 1_000, 0), event("good", "o1", "a@x.io", "reply", NOW, 0, 0)));
        try (Connection c = store.database().readers().getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT event_id, restricted FROM usage_events WHERE org_id = 'o1' ORDER BY event_id")) {
            try (ResultSet rs = ps.executeQuery()) {
                List<String> rows = new ArrayList<>();
                while (rs.next()) rows.add(rs.getString(1) + "=" + rs.getBoolean(2));
                assertThat(rows).containsExactly("bad=true", "good=false");
            }
        }
        assertThatThrownBy(() -> store.putRestrictions("o1", "ghost@x.io", Restrictions.NONE)).hasMessageContaining("member 'ghost@x.io'");
    }

    @Test
    void alertsAreRaisedOncePerThresholdPerMonth() {
        org("o1", "pro");
        store.putBudgets("o1", new BudgetSettings(new BudgetSettings.Budget(micros("100"), false, true, 80),
                new BudgetSettings.Budget(micros("50"), false, true, 50)));
        store.ingest(List.of(event("e1", "o1", "a@x.io", "sonnet", NOW, 100_000, 0))); // 30: past the member's 50% of 50
        assertThat(kinds("o1")).containsExactly("member:BUDGET_THRESHOLD:50");
        store.ingest(List.of(event("e2", "o1", "a@x.io", "sonnet", NOW, 200_000, 0))); // 90 in all
        assertThat(kinds("o1")).containsExactlyInAnyOrder("org:BUDGET_THRESHOLD:80", "member:BUDGET_THRESHOLD:50", "member:BUDGET_EXHAUSTED:100");
        store.ingest(List.of(event("e3", "o1", "a@x.io", "reply", NOW, 0, 0))); // 95
        assertThat(kinds("o1")).hasSize(3);
        store.ingest(List.of(event("e4", "o1", "a@x.io", "reply", NOW, 0, 0))); // 100
        assertThat(kinds("o1")).hasSize(4).contains("org:BUDGET_EXHAUSTED:100");
        assertThat(store.notifications("o1", "a@x.io", 100)).extracting(Alerts.Notification::scope).containsOnly("member");
        clock.set(java.time.Instant.parse("2026-12-01T01:00:00Z"));
        store.ingest(List.of(event("dec", "o1", "a@x.io", "sonnet", clock.instant(), 300_000, 0)));
        assertThat(kinds("o1")).hasSize(7);
    }

    @Test
    void planBalanceAlerts() {
        org("o1", "free");
        store.ingest(List.of(event("e1", "o1", "a@x.io", "sonnet", NOW, 270_000, 0))); // 81 of 100
        assertThat(kinds("o1")).containsExactly("plan:PLAN_CREDITS_LOW:80");
        store.ingest(List.of(event("e2", "o1", "a@x.io", "sonnet", NOW, 100_000, 0)));
        assertThat(kinds("o1")).containsExactlyInAnyOrder("plan:PLAN_CREDITS_LOW:80", "plan:PLAN_CREDITS_EXHAUSTED:100");
    }

    List<String> kinds(String org) {
        return store.notifications(org, null, 100).stream().map(n -> n.scope() + ":" + n.kind() + ":" + n.thresholdPercent()).toList();
    }

    /** 64 threads on two store instances reserve 1 credit each against a 100-credit member budget: exactly 100 win. */
    @Test
    void concurrentReservationsNeverOverspend() throws Exception {
        org("o1", "pro");
        memberBudget("o1", "100", true);
        Store second = anotherInstance();
        AtomicInteger granted = new AtomicInteger();
        Concurrently.run(64, t -> {
            Store target = t % 2 == 0 ? store : second;
            for (int i = 0; i < 4; i++) if (reserve(target, "o1", "1").decision().allowed()) granted.incrementAndGet();
        });
        assertThat(granted.get()).isEqualTo(100);
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", 0, null).decision().memberBudgetRemainingMicros()).isZero();
    }

    /**
     * authorize decides from snapshots kept in memory (DecisionCache): after every write, on
     * another instance, and as time passes (holds and grants expiring, the month turning), its
     * decision must equal one made from the rows read afresh. Seeded random writes; holds are
     * opened, settled and released on either instance, so each writer's known holds
     * ({@link KnownHolds}) are at times stale: a hold it opened is closed by the other.
     */
    @Test
    void decisionsFromMemoryEqualFreshReadsAfterEveryWriteOnAnyInstance() throws Exception {
        org("o1", "pro");
        store.putMember("o1", "b@x.io", Role.MEMBER, Member.Type.USER);
        decisionsFromMemoryEqualFreshReads("decisionsFromMemoryEqualFreshReads", anotherInstance());
    }

    /**
     * The same with this instance alone on the database: it holds the decision lease throughout,
     * so every decision comes from memory with no version read, and each must still equal a
     * fresh read's.
     */
    @Test
    void decisionsOfTheOnlyInstanceFromMemoryEqualFreshReadsAfterEveryWrite() throws Exception {
        org("o1", "pro");
        store.putMember("o1", "b@x.io", Role.MEMBER, Member.Type.USER);
        await("the lease is taken", store::holdsDecisionLease);
        long reads = store.decisionVersionReads();
        decisionsFromMemoryEqualFreshReads("decisionsOfTheOnlyInstanceFromMemory", store);
        assertThat(store.holdsDecisionLease()).as("the lease held throughout").isTrue();
        assertThat(store.decisionVersionReads()).as("decisions that read their org's version").isEqualTo(reads);
    }

    /** Seeded random writes on {@link #store} and {@code reader} (the same instance, or another), each followed by decisions on both compared with fresh reads. */
    private void decisionsFromMemoryEqualFreshReads(String seedName, Store reader) throws Exception {
        long seed = creditline.testing.Seeds.seed(seedName);
        java.util.Random random = new java.util.Random(seed);
        List<String> open = new ArrayList<>();
        List<String> opened = new ArrayList<>();
        String[] members = {"a@x.io", "b@x.io"};
        for (int step = 0; step < 80; step++) {
            String member = members[random.nextInt(2)];
            Store writer = random.nextBoolean() ? store : reader;
            String what;
            switch (random.nextInt(12)) {
                case 0, 1 -> {
                    what = "usage";
                    store.ingest(List.of(event("e" + step, "o1", member, "reply", clock.instant(), 10, 0)));
                }
                case 2 -> {
                    what = "budgets";
                    store.putBudgets("o1", new BudgetSettings(
                            new BudgetSettings.Budget(random.nextBoolean() ? null : micros(String.valueOf(random.nextInt(60))), random.nextBoolean(), false, 80),
                            new BudgetSettings.Budget(random.nextBoolean() ? null : micros(String.valueOf(random.nextInt(30))), random.nextBoolean(), false, 80)));
                }
                case 3 -> {
                    what = "override";
                    if (random.nextBoolean()) store.putBudgetOverride("o1", member, micros(String.valueOf(random.nextInt(30))));
                    else {
                        try {
                            store.deleteBudgetOverride("o1", member);
                        } catch (Failure none) {
                            assertThat(none.code()).isEqualTo("OVERRIDE_NOT_FOUND");
                        }
                    }
                }
                case 4 -> {
                    what = "restrictions";
                    store.putRestrictions("o1", random.nextBoolean() ? null : member,
                            new Restrictions(random.nextBoolean() ? null : Set.of(random.nextBoolean() ? "reply" : "sonnet"), null));
                }
                case 5 -> {
                    what = "status";
                    store.setOrgStatus("o1", random.nextInt(4) == 0 ? "suspended" : "active");
                }
                case 6 -> {
                    what = "plan edit";
                    // Credits, overage and a token limit (usage has 10 tokens an event): each can change a decision.
                    store.putPlan(new creditline.plan.Plan("pro", "pro", 0, "USD", micros(String.valueOf(random.nextInt(100))),
                            random.nextBoolean() ? null : (long) random.nextInt(60), random.nextBoolean() ? creditline.plan.Plan.Overage.BLOCK
                            : creditline.plan.Plan.Overage.ALLOW, null, List.of(), false));
                }
                case 7 -> {
                    what = "grant";
                    store.grant("o1", micros(String.valueOf(1 + random.nextInt(20))), clock.instant().plusSeconds(1 + random.nextInt(600)), "test");
                }
                case 8 -> {
                    what = "reserve";
                    Store.Authorization a = writer.authorize("o1", member, "reply", "chat", micros(String.valueOf(1 + random.nextInt(10))),
                            (long) (1 + random.nextInt(300)));
                    if (a.reservation() != null) {
                        open.add(a.reservation().id());
                        opened.add(a.reservation().id());
                    }
                }
                case 9 -> {
                    what = "release";
                    if (!open.isEmpty()) {
                        try {
                            writer.release(open.remove(random.nextInt(open.size())));
                        } catch (Failure expiredOrSettled) {
                            // an expired hold cannot be released: nothing changed
                        }
                    }
                }
                case 10 -> {
                    what = "settle";
                    // Any hold opened so far, open or not (settling a closed one changes no hold).
                    if (!opened.isEmpty()) {
                        String id = opened.get(random.nextInt(opened.size()));
                        UsageEvent e = event("s" + step, "o1", member, "reply", clock.instant(), 0, 0);
                        writer.ingest(List.of(new UsageEvent(e.id(), e.orgId(), e.memberId(), e.modelId(), e.activity(), e.occurredAt(), e.tokens(),
                                e.toolCalls(), id, false, e.details())));
                        open.remove(id);
                    }
                }
                default -> {
                    what = "time";
                    clock.advance(Duration.ofSeconds(random.nextInt(random.nextInt(10) == 0 ? 40 * 86_400 : 400)));
                }
            }
            for (String m : members) {
                long estimate = micros(String.valueOf(random.nextInt(8)));
                creditline.budget.Decision fresh;
                try (Connection c = store.database().readers().getConnection()) {
                    Enforcement.Snapshot s = Enforcement.snapshot(c, new Catalog(), "o1", m, clock.instant());
                    fresh = creditline.budget.Authorizer.decide(s.state(), "reply", "chat", estimate);
                }
                for (Store instance : reader == store ? List.of(store) : List.of(reader, store)) {
                    creditline.budget.Decision fromMemory = instance.authorize("o1", m, "reply", "chat", estimate, null).decision();
                    assertThat(fromMemory).as("step %d (%s), member %s, %s; %s", step, what, m, instance == writer ? "writing instance" : "other instance",
                            creditline.testing.Seeds.replay(seed)).isEqualTo(fresh);
                }
            }
        }
    }
}
