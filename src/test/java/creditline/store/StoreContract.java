package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.app.Creditline;
import creditline.auth.Keys;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.common.Failure;
import creditline.plan.Subscription;
import creditline.pricing.TokenCounts;
import creditline.testing.Concurrently;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** One contract for every database Creditline runs on; subclasses name the database. */
abstract class StoreContract extends StoreFixture {
    /** Every text an event carries is stored exactly (on PostgreSQL a batch's events go in as arrays, one per column). */
    @Test
    void awkwardTextsAreStoredExactly() throws Exception {
        org("o", "pro");
        String[] texts = {"", "NULL", "null", "a,b", "{x}", "\"quoted\"", "back\\slash", "line\nbreak\ttab", " spaced ", "ünïcødé 日本 🚀", "'single'",
                "{\"client\":\"ide\",\"tags\":[\"a\",\"b\"]}"};
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < texts.length; i++) {
            String t = texts[i];
            String metadata = "{\"v\":" + com.fasterxml.jackson.databind.json.JsonMapper.builder().build().writeValueAsString(t) + "}";
            events.add(new UsageEvent("e" + i, "o", "a@x.io", "sonnet", "chat", NOW, new TokenCounts(10, 1, 0, 0), 0, null, false,
                    new UsageEvent.Details(t, t, t, t, null, t, t, null, null, null, null, metadata)));
        }
        events.add(event("plain", "o", "a@x.io", "sonnet", NOW, 10, 1)); // no details: NULLs
        assertThat(store.ingest(events)).extracting(EventOutcome::status).containsOnly(EventOutcome.Status.ACCEPTED);
        try (java.sql.Connection c = store.database().readers().getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT event_id, agent, conversation, task, session, status, region, metadata, latency_ms"
                     + " FROM usage_events WHERE org_id = 'o' ORDER BY event_id")) {
            int rows = 0;
            while (rs.next()) {
                rows++;
                String id = rs.getString(1);
                if (id.equals("plain")) {
                    for (int col = 2; col <= 8; col++) assertThat(rs.getString(col)).as("column %d of %s", col, id).isNull();
                    assertThat(rs.getObject(9)).isNull();
                    continue;
                }
                String t = texts[Integer.parseInt(id.substring(1))];
                for (int col = 2; col <= 7; col++) assertThat(rs.getString(col)).as("column %d of %s", col, id).isEqualTo(t);
                assertThat(com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(rs.getString(8)).path("v").asText()).isEqualTo(t);
            }
            assertThat(rows).isEqualTo(texts.length + 1);
        }
    }

    /**
     * New events and duplicates mixed in one post, at random places of the insert statements
     * (32 rows each on SQLite, whose statement then inserts only some of its rows): exactly the
     * new ones are accepted, each duplicate answered with its stored charge.
     */
    @Test
    void aPostMixingNewEventsAndDuplicatesAcceptsExactlyTheNewOnes() {
        org("o", "pro");
        java.util.SplittableRandom r = creditline.testing.Seeds.random("StoreContract.aPostMixingNewEventsAndDuplicatesAcceptsExactlyTheNewOnes");
        List<UsageEvent> all = new ArrayList<>();
        List<UsageEvent> stored = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            UsageEvent e = event("m" + i, "o", "a@x.io", "sonnet", NOW, 1_000 + r.nextInt(100_000), r.nextInt(1_000));
            all.add(e);
            if (r.nextInt(3) == 0) stored.add(e);
        }
        java.util.Map<String, Long> charged = new java.util.HashMap<>();
        for (EventOutcome o : store.ingest(stored)) {
            assertThat(o.status()).isEqualTo(EventOutcome.Status.ACCEPTED);
            charged.put(o.id(), o.creditsMicros());
        }
        long before = balance("o");
        java.util.Collections.shuffle(all, new java.util.Random(r.nextLong()));
        List<EventOutcome> outcomes = store.ingest(all);
        long newCharges = 0;
        for (int i = 0; i < all.size(); i++) {
            EventOutcome o = outcomes.get(i);
            assertThat(o.id()).isEqualTo(all.get(i).id());
            if (charged.containsKey(o.id())) {
                assertThat(o).as(o.id()).isEqualTo(EventOutcome.duplicate(o.id(), charged.get(o.id())));
            } else {
                assertThat(o.status()).as(o.id()).isEqualTo(EventOutcome.Status.ACCEPTED);
                newCharges += o.creditsMicros();
            }
        }
        assertThat(balance("o")).isEqualTo(before - newCharges);
        assertThat(store.reconcile("o").balanced()).isTrue();
    }

    @Test
    void newOrgHasItsPlanCreditsAtOnce() {
        org("o1", "free");
        assertThat(balance("o1")).isEqualTo(micros("100"));
        assertThatThrownBy(() -> store.createOrg("o1", "again", "free")).isInstanceOf(Failure.class).hasMessageContaining("already exists");
        assertThatThrownBy(() -> store.createOrg("o2", "x", "nope")).isInstanceOf(Failure.class).hasMessageContaining("plan 'nope'");
    }

    @Test
    void anEventIdIsChargedOnce() {
        org("o1", "pro");
        UsageEvent e = event("e1", "o1", "a@x.io", "sonnet", NOW, 1_000_000, 0);
        assertThat(store.ingest(List.of(e))).containsExactly(EventOutcome.accepted("e1", micros("300")));
        assertThat(store.ingest(List.of(e, e))).containsExactly(EventOutcome.duplicate("e1", micros("300")), EventOutcome.duplicate("e1", micros("300")));
        assertThat(balance("o1")).isEqualTo(micros("39700"));
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    @Test
    void theSameIdInAnotherOrgIsAnotherEvent() {
        org("o1", "pro");
        org("o2", "pro");
        List<EventOutcome> out = store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", NOW, 0, 0),
                event("e1", "o2", "a@x.io", "reply", NOW, 0, 0)));
        assertThat(out).extracting(EventOutcome::status).containsExactly(EventOutcome.Status.ACCEPTED, EventOutcome.Status.ACCEPTED);
    }

    @Test
    void unknownReferencesAreRejectedOneByOne() {
        org("o1", "pro");
        List<EventOutcome> out = store.ingest(List.of(
                event("ok", "o1", "a@x.io", "reply", NOW, 0, 0),
                event("no-org", "ghost", "a@x.io", "reply", NOW, 0, 0),
                event("no-model", "o1", "a@x.io", "ghost", NOW, 0, 0),
                event("no-member", "o1", "b@x.io", "reply", NOW, 0, 0)));
        assertThat(out).extracting(EventOutcome::errorCode).containsExactly(null, "ORG_NOT_FOUND", "MODEL_NOT_FOUND", "MEMBER_NOT_FOUND");
        assertThat(balance("o1")).isEqualTo(micros("39995"));
    }

    @Test
    void eventsArePricedWithTheRateInForceWhenTheyOccurred() {
        org("o1", "pro");
        store.putModel("sonnet", "Sonnet", "anthropic", false, rates("100", "1500", null, null), NOW.minus(Duration.ofDays(2)));
        List<EventOutcome> out = store.ingest(List.of(
                event("before", "o1", "a@x.io", "sonnet", NOW.minus(Duration.ofDays(3)), 1_000_000, 0),
                event("after", "o1", "a@x.io", "sonnet", NOW.minus(Duration.ofDays(1)), 1_000_000, 0)));
        assertThat(out).extracting(EventOutcome::creditsMicros).containsExactly(micros("300"), micros("100"));
        assertThat(store.model("sonnet").versions()).hasSize(2);
    }

    @Test
    void unmeteredEventsChargeNothing() {
        org("o1", "pro");
        UsageEvent byo = new UsageEvent("byo", "o1", "a@x.io", "sonnet", "chat", NOW, new TokenCounts(1_000_000, 0, 0, 0), 0, null, true, UsageEvent.Details.NONE);
        List<EventOutcome> out = store.ingest(List.of(byo, event("local", "o1", "a@x.io", "local", NOW, 5, 5)));
        assertThat(out).extracting(EventOutcome::creditsMicros).containsExactly(0L, 0L);
        assertThat(balance("o1")).isEqualTo(micros("40000"));
        assertThat(store.subscription("o1").events()).isEqualTo(2);
    }

    @Test
    void grantsExpiringFirstAreSpentFirstAfterThePlan() {
        org("o1", "free");
        var late = store.grant("o1", micros("50"), NOW.plus(Duration.ofDays(30)), "late");
        var soon = store.grant("o1", micros("50"), NOW.plus(Duration.ofDays(2)), "soon");
        var never = store.grant("o1", micros("50"), null, "never");
        assertThat(balance("o1")).isEqualTo(micros("250"));
        // The plan allotment expires at the month's end: after "soon", before "late".
        store.ingest(List.of(event("e1", "o1", "a@x.io", "reply", NOW, 0, 0)));
        assertThat(remaining("o1", soon.id())).isEqualTo(micros("45"));
        store.ingest(List.of(event("e2", "o1", "a@x.io", "sonnet", NOW, 500_000, 0))); // 150 credits: 45 soon, 100 plan, 5 late
        assertThat(remaining("o1", soon.id())).isZero();
        assertThat(store.subscription("o1").balance().creditsMicros()).isEqualTo(micros("95"));
        assertThat(remaining("o1", late.id())).isEqualTo(micros("45"));
        assertThat(balance("o1")).isEqualTo(micros("95"));
        assertThat(remaining("o1", never.id())).isEqualTo(micros("50"));
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    long remaining(String org, String grantId) {
        return store.balance(org).grants().stream().filter(g -> g.id().equals(grantId)).findFirst().orElseThrow().remainingMicros();
    }

    @Test
    void expiredGrantsLeaveTheBalance() {
        org("o1", "free");
        store.grant("o1", micros("50"), NOW.plus(Duration.ofHours(1)), "short");
        assertThat(balance("o1")).isEqualTo(micros("150"));
        clock.advance(Duration.ofHours(2));
        assertThat(balance("o1")).isEqualTo(micros("100"));
    }

    @Test
    void usageBeyondEveryBucketIsOverage() {
        org("o1", "free");
        store.ingest(List.of(event("big", "o1", "a@x.io", "sonnet", NOW, 1_000_000, 0)));
        Subscription s = store.subscription("o1");
        assertThat(s.creditsUsedMicros()).isEqualTo(micros("300"));
        assertThat(s.overageMicros()).isEqualTo(micros("200"));
        assertThat(balance("o1")).isZero();
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    @Test
    void eachCalendarMonthStartsAFreshAllotmentWithoutRollover() {
        org("o1", "free");
        store.ingest(List.of(event("nov", "o1", "a@x.io", "sonnet", NOW, 100_000, 0))); // 30
        assertThat(balance("o1")).isEqualTo(micros("70"));
        clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(balance("o1")).isEqualTo(micros("100"));
        Subscription dec = store.subscription("o1");
        assertThat(dec.periodStart()).hasToString("2026-12-01");
        assertThat(dec.periodEnd()).hasToString("2027-01-01");
        assertThat(dec.creditsUsedMicros()).isZero();
        // A late November event still draws November's allotment and counts in November.
        store.ingest(List.of(event("late-nov", "o1", "a@x.io", "sonnet", Instant.parse("2026-11-30T23:59:59Z"), 100_000, 0)));
        assertThat(balance("o1")).isEqualTo(micros("100"));
        assertThat(store.subscription("o1").creditsUsedMicros()).isZero();
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    @Test
    void usageFromBeforeTheOrgsFirstMonthIsOverage() {
        org("o1", "free");
        store.ingest(List.of(event("oct", "o1", "a@x.io", "reply", Instant.parse("2026-10-30T10:00:00Z"), 0, 0)));
        assertThat(balance("o1")).isEqualTo(micros("100"));
        Store.Reconciliation r = store.reconcile("o1");
        assertThat(r.overageMicros()).isEqualTo(micros("5"));
        assertThat(r.balanced()).isTrue();
    }

    /** Org o1 on the rollover plan (1,000 a month), 300 of November's used. */
    private void rollingOrgThatUsed300InNovember() {
        org("o1", "rolling");
        store.ingest(List.of(event("nov", "o1", "a@x.io", "sonnet", NOW, 1_000_000, 0)));
    }

    @Test
    void rolloverPlansCarryTheUnusedAllotment() {
        rollingOrgThatUsed300InNovember();
        clock.set(Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(balance("o1")).isEqualTo(micros("1700"));
        store.ingest(List.of(event("dec", "o1", "a@x.io", "reply", Instant.parse("2026-12-01T10:00:00Z"), 0, 0)));
        assertThat(balance("o1")).isEqualTo(micros("1695"));
    }

    @Test
    void aRolloverCarryIsSpentOnceWhenALateEventArrivesAfterTheNewMonthBegan() {
        rollingOrgThatUsed300InNovember();
        clock.set(Instant.parse("2026-12-02T00:00:00Z"));
        store.ingest(List.of(event("dec", "o1", "a@x.io", "reply", Instant.parse("2026-12-01T10:00:00Z"), 0, 0))); // December begins: 700 carried
        assertThat(store.subscription("o1").allotmentMicros()).isEqualTo(micros("1700"));
        // A late November event finds November's unused allotment moved on: it is November's overage, not paid twice.
        store.ingest(List.of(event("late-nov", "o1", "a@x.io", "sonnet", Instant.parse("2026-11-30T23:00:00Z"), 2_000_000, 0))); // 600
        assertThat(balance("o1")).isEqualTo(micros("1695"));
        assertThat(store.subscription("o1").allotmentMicros()).isEqualTo(micros("1700"));
        Store.Reconciliation r = store.reconcile("o1");
        assertThat(r.overageMicros()).isEqualTo(micros("600"));
        assertThat(r.bucketsConsumedMicros()).as("plan credits drawn: November's 300 and December's 5, of 2,000 allotted in all").isEqualTo(micros("305"));
        assertThat(r.balanced()).isTrue();
    }

    @Test
    void aMonthWithoutUsageCarriesAllItHadIntoTheNext() {
        clock.set(Instant.parse("2026-10-31T12:00:00Z"));
        org("o1", "rolling");
        store.ingest(List.of(event("oct", "o1", "a@x.io", "sonnet", clock.instant(), 1_000_000, 0))); // 300 of 1000
        clock.set(Instant.parse("2026-11-15T00:00:00Z"));
        assertThat(store.subscription("o1").allotmentMicros()).isEqualTo(micros("1700"));
        clock.set(Instant.parse("2026-12-01T00:05:00Z"));
        assertThat(store.subscription("o1").allotmentMicros()).as("shown before December's first write").isEqualTo(micros("2700"));
        store.ingest(List.of(event("dec", "o1", "a@x.io", "reply", clock.instant(), 0, 0)));
        assertThat(store.subscription("o1").allotmentMicros()).as("as stored").isEqualTo(micros("2700"));
        assertThat(balance("o1")).isEqualTo(micros("2695"));
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    @Test
    void editingAPlanKeepsTheAllotmentOfTheMonthBegunForEveryOrg() {
        org("quiet", "free");
        org("busy", "free");
        clock.set(Instant.parse("2026-12-01T00:05:00Z"));
        store.ingest(List.of(event("dec", "busy", "a@x.io", "reply", clock.instant(), 0, 0)));
        store.putPlan(plan("free", "300", creditline.plan.Plan.Overage.BLOCK, false));
        for (String org : List.of("quiet", "busy")) {
            assertThat(store.subscription(org).allotmentMicros()).as(org).isEqualTo(micros("100"));
        }
        assertThat(balance("quiet")).isEqualTo(micros("100"));
        assertThat(store.authorize("quiet", "a@x.io", "reply", "chat", micros("150"), null).decision().allowed()).isFalse();
        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        for (String org : List.of("quiet", "busy")) {
            assertThat(store.subscription(org).allotmentMicros()).as(org + " in January").isEqualTo(micros("300"));
        }
    }

    @Test
    void aPlanChangeKeepsOrDropsTheCarryByTheNewPlansRule() {
        store.putPlan(plan("rolling-big", "5000", creditline.plan.Plan.Overage.ALLOW, true));
        rollingOrgThatUsed300InNovember();
        clock.set(Instant.parse("2026-12-02T00:00:00Z"));
        store.changePlan("o1", "rolling-big");
        assertThat(store.subscription("o1").allotmentMicros()).isEqualTo(micros("5700"));
        store.changePlan("o1", "pro");
        assertThat(store.subscription("o1").allotmentMicros()).as("no rollover on pro").isEqualTo(micros("40000"));
        store.changePlan("o1", "rolling");
        assertThat(store.subscription("o1").allotmentMicros()).as("the carry is gone; November has nothing left").isEqualTo(micros("1000"));
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    @Test
    void anEventDatedIntoTheNextMonthDoesNotDecideItsAllotmentEarly() {
        rollingOrgThatUsed300InNovember();
        clock.set(Instant.parse("2026-11-30T23:57:00Z"));
        store.ingest(List.of(event("ahead", "o1", "a@x.io", "reply", Instant.parse("2026-12-01T00:01:00Z"), 0, 0))); // 5, up to 5 min ahead
        assertThat(store.subscription("o1").allotmentMicros()).as("November keeps its allotment").isEqualTo(micros("1000"));
        assertThat(balance("o1")).isEqualTo(micros("700"));
        store.putPlan(plan("rolling", "2000", creditline.plan.Plan.Overage.ALLOW, true)); // from the next month on
        clock.set(Instant.parse("2026-12-01T00:05:00Z"));
        assertThat(store.subscription("o1").allotmentMicros()).as("shown before December's first write").isEqualTo(micros("2700"));
        assertThat(balance("o1")).isEqualTo(micros("2695"));
        store.ingest(List.of(event("dec", "o1", "a@x.io", "reply", clock.instant(), 0, 0)));
        assertThat(store.subscription("o1").allotmentMicros()).isEqualTo(micros("2700"));
        assertThat(balance("o1")).isEqualTo(micros("2690"));
        assertThat(store.reconcile("o1").balanced()).isTrue();
    }

    @Test
    void aLateEventAsTheMonthsFirstWriteFindsTheCarryMovedSoAHoldStaysCovered() {
        rollingOrgThatUsed300InNovember();
        clock.set(Instant.parse("2026-12-01T00:00:30Z"));
        assertThat(store.authorize("o1", "a@x.io", "reply", "chat", micros("1600"), 600L).decision().allowed()).isTrue();
        store.ingest(List.of(event("late-nov", "o1", "a@x.io", "sonnet", Instant.parse("2026-11-30T23:00:00Z"), 2_000_000, 0))); // 600
        assertThat(store.reconcile("o1").overageMicros()).as("November's allotment had moved on").isEqualTo(micros("600"));
        assertThat(balance("o1")).isEqualTo(micros("1700"));
        assertThat(store.balance("o1").reservedMicros()).isEqualTo(micros("1600"));
    }

    @Test
    void aLateEventIntoAnIdleMonthDrawsTheAllotmentOfThatMonthNotOfAPlanChangedSince() {
        clock.set(Instant.parse("2026-10-31T12:00:00Z"));
        org("edited", "free");
        org("changed", "free");
        clock.set(Instant.parse("2026-12-02T00:00:00Z")); // both idle in November
        store.putPlan(plan("free", "300", creditline.plan.Plan.Overage.BLOCK, false));
        store.changePlan("changed", "pro");
        for (String org : List.of("edited", "changed")) {
            store.ingest(List.of(event("late-" + org, org, "a@x.io", "sonnet", Instant.parse("2026-11-15T00:00:00Z"), 1_000_000, 0))); // 300
            assertThat(store.reconcile(org).overageMicros()).as(org + ": November allotted 100").isEqualTo(micros("200"));
        }
    }

    @Test
    void aPlanThatDidNotRollOverCarriesNothingIntoOneThatDoes() {
        org("o1", "free");
        store.ingest(List.of(event("nov", "o1", "a@x.io", "reply", NOW, 0, 0))); // 5 of 100
        clock.set(Instant.parse("2026-12-02T00:00:00Z"));
        store.changePlan("o1", "rolling");
        assertThat(store.subscription("o1").allotmentMicros()).isEqualTo(micros("1000"));
    }

    @Test
    void planChangeTakesEffectAtOnceAndIsRecorded() {
        org("o1", "free");
        store.ingest(List.of(event("e1", "o1", "a@x.io", "sonnet", NOW, 100_000, 0))); // 30
        Subscription s = store.changePlan("o1", "pro");
        assertThat(s.plan().id()).isEqualTo("pro");
        assertThat(balance("o1")).isEqualTo(micros("39970"));
        store.changePlan("o1", "free");
        assertThat(balance("o1")).isEqualTo(micros("70"));
        assertThat(store.planChanges("o1")).extracting(Store.PlanChange::toPlanId).containsExactly("free", "pro", "free");
        assertThatThrownBy(() -> store.changePlan("o1", "nope")).hasMessageContaining("plan 'nope'");
        assertThatThrownBy(() -> store.changePlan("ghost", "pro")).hasMessageContaining("org 'ghost'");
    }

    @Test
    void subscriptionCountsTokensAndCredits() {
        org("o1", "pro");
        store.ingest(List.of(new UsageEvent("e", "o1", "a@x.io", "sonnet", "agent", NOW, new TokenCounts(10, 20, 30, 40), 0, null, false,
                UsageEvent.Details.NONE)));
        Subscription s = store.subscription("o1");
        assertThat(List.of(s.inputTokens(), s.outputTokens(), s.cacheWriteTokens(), s.cacheReadTokens())).containsExactly(10L, 20L, 30L, 40L);
        assertThat(s.totalTokens()).isEqualTo(100);
        assertThat(s.creditsUsedMicros()).isEqualTo(store.reconcile("o1").eventsChargedMicros());
    }

    @Test
    void membersAndKeys() {
        org("o1", "pro");
        store.putMember("o1", "SA ci", Role.MEMBER, Member.Type.SERVICE_ACCOUNT);
        store.putMember("o1", "a@x.io", Role.ADMIN, Member.Type.USER);
        assertThat(store.members("o1")).extracting(Member::memberId, Member::role)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("SA ci", Role.MEMBER), org.assertj.core.groups.Tuple.tuple("a@x.io", Role.ADMIN));
        Store.CreatedKey key = store.createKey("o1", Role.MEMBER, "SA ci");
        var principal = store.principalByKeyHash(Keys.hash(key.key()));
        assertThat(principal.orgId()).isEqualTo("o1");
        assertThat(principal.memberId()).isEqualTo("SA ci");
        assertThat(store.deleteMember("o1", "SA ci")).isTrue();
        assertThat(store.principalByKeyHash(Keys.hash(key.key()))).isNull();
        assertThat(store.deleteMember("o1", "SA ci")).isFalse();
        assertThatThrownBy(() -> store.createKey("o1", Role.MEMBER, "nobody@x.io")).hasMessageContaining("member 'nobody@x.io'");
    }

    /** Concurrent posts of the same events, from many threads and two store instances, charge each once. */
    @Test
    void concurrentResendsFromTwoInstancesChargeOnce() throws Exception {
        org("o1", "free");
        List<UsageEvent> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) events.add(event("e" + i, "o1", "a@x.io", "reply", NOW, 0, 0));
        Store second = anotherInstance();
        ConcurrentLinkedQueue<EventOutcome> accepted = new ConcurrentLinkedQueue<>();
        Concurrently.run(16, t -> {
            Store target = t % 2 == 0 ? store : second;
            int offset = t * 13;
            for (int from = 0; from < events.size(); from += 50) {
                List<UsageEvent> slice = new ArrayList<>();
                for (int k = 0; k < 50; k++) slice.add(events.get((from + k + offset) % events.size()));
                target.ingest(slice).stream().filter(o -> o.status() == EventOutcome.Status.ACCEPTED).forEach(accepted::add);
            }
        });
        assertThat(accepted).hasSize(200);
        assertThat(accepted.stream().map(EventOutcome::id).distinct()).hasSize(200);
        Store.Reconciliation r = store.reconcile("o1");
        assertThat(r.eventsChargedMicros()).isEqualTo(micros("1000"));
        assertThat(r.balanced()).isTrue();
        assertThat(r.overageMicros()).isEqualTo(micros("900"));
    }
}
