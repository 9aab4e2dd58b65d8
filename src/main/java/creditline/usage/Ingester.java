package creditline.usage;

import creditline.budget.Restrictions;
import creditline.ledger.Drawdown;
import creditline.plan.Periods;
import creditline.pricing.Model;
import creditline.pricing.Pricer;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Records a batch of validated events inside one write transaction: checks references, prices,
 * inserts idempotently and draws the ledger. Events are applied in the order given.
 */
public final class Ingester {
    private final Pricer pricer;
    private final boolean meteringOn;

    public Ingester(Pricer pricer, boolean meteringOn) {
        this.pricer = pricer;
        this.meteringOn = meteringOn;
    }

    public Pricer pricer() { return pricer; }

    public List<EventOutcome> ingest(IngestTx tx, List<UsageEvent> events) {
        Set<String> modelIds = new HashSet<>();
        Set<String> orgIds = new HashSet<>();
        Map<String, Set<String>> membersByOrg = new HashMap<>();
        for (UsageEvent e : events) {
            modelIds.add(e.modelId());
            orgIds.add(e.orgId());
            membersByOrg.computeIfAbsent(e.orgId(), k -> new HashSet<>()).add(e.memberId());
        }
        Map<String, Model> models = tx.models(modelIds);
        Map<String, OrgRef> orgs = tx.orgs(orgIds);
        Map<String, Set<String>> knownMembers = new HashMap<>();
        for (var entry : membersByOrg.entrySet()) {
            if (orgs.containsKey(entry.getKey())) knownMembers.put(entry.getKey(), tx.existingMembers(entry.getKey(), entry.getValue()));
        }

        EventOutcome[] outcomes = new EventOutcome[events.size()];
        List<PricedEvent> candidates = new ArrayList<>();
        List<Integer> candidateIndex = new ArrayList<>();
        Map<String, Integer> firstCandidate = new HashMap<>();
        List<Integer> repeatedInRequest = new ArrayList<>();
        Map<String, LifetimeUsage> lifetime = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            UsageEvent e = events.get(i);
            OrgRef org = orgs.get(e.orgId());
            Model model = models.get(e.modelId());
            if (org == null) {
                outcomes[i] = EventOutcome.rejected(e.id(), "ORG_NOT_FOUND", "org '" + e.orgId() + "' does not exist");
            } else if (model == null) {
                outcomes[i] = EventOutcome.rejected(e.id(), "MODEL_NOT_FOUND", "model '" + e.modelId() + "' does not exist");
            } else if (!knownMembers.get(e.orgId()).contains(e.memberId())) {
                outcomes[i] = EventOutcome.rejected(e.id(), "MEMBER_NOT_FOUND",
                        "member '" + e.memberId() + "' does not exist in org '" + e.orgId() + "'");
            } else if (firstCandidate.putIfAbsent(key(e), i) != null) {
                repeatedInRequest.add(i);
            } else {
                try {
                    PricedEvent p = price(e, model, restricted(tx, e));
                    LifetimeUsage before = lifetime.computeIfAbsent(e.orgId(), tx::lifetimeUsage);
                    if (!before.admits(p)) {
                        throw new ArithmeticException("the org's usage so far and this event would pass " + LifetimeUsage.LIMIT
                                + " micro-credits of nominal cost or tokens of one kind");
                    }
                    lifetime.put(e.orgId(), before.plus(p));
                    candidates.add(p);
                    candidateIndex.add(i);
                } catch (IllegalArgumentException | ArithmeticException tooLarge) {
                    firstCandidate.remove(key(e));
                    outcomes[i] = EventOutcome.rejected(e.id(), "AMOUNT_OUT_OF_RANGE",
                            "the charge of this event does not fit the ledger's range: " + tooLarge.getMessage());
                }
            }
        }

        boolean[] inserted = tx.insertEvents(candidates);
        Map<String, List<String>> storedBefore = new HashMap<>();
        Map<String, List<PricedEvent>> newByOrg = new LinkedHashMap<>();
        Map<String, Long> chargeInRequest = new HashMap<>();
        for (int c = 0; c < candidates.size(); c++) {
            PricedEvent p = candidates.get(c);
            int i = candidateIndex.get(c);
            if (inserted[c]) {
                outcomes[i] = EventOutcome.accepted(p.event().id(), p.chargedMicros());
                if (!repeatedInRequest.isEmpty()) chargeInRequest.put(key(p.event()), p.chargedMicros());
                newByOrg.computeIfAbsent(p.event().orgId(), k -> new ArrayList<>()).add(p);
            } else {
                storedBefore.computeIfAbsent(p.event().orgId(), k -> new ArrayList<>()).add(p.event().id());
            }
        }
        for (var entry : storedBefore.entrySet()) {
            Map<String, Long> charged = tx.chargedMicros(entry.getKey(), entry.getValue());
            for (String id : entry.getValue()) chargeInRequest.put(entry.getKey() + '\u0000' + id, charged.getOrDefault(id, 0L));
        }
        for (int c = 0; c < candidates.size(); c++) {
            if (!inserted[c]) {
                UsageEvent e = candidates.get(c).event();
                outcomes[candidateIndex.get(c)] = EventOutcome.duplicate(e.id(), chargeInRequest.get(key(e)));
            }
        }
        for (int i : repeatedInRequest) {
            UsageEvent e = events.get(i);
            outcomes[i] = EventOutcome.duplicate(e.id(), chargeInRequest.getOrDefault(key(e), 0L));
        }
        for (var entry : newByOrg.entrySet()) post(tx, orgs.get(entry.getKey()), entry.getValue());
        return List.of(outcomes);
    }

    /** An event's identity: its org and id. */
    private static String key(UsageEvent e) {
        return e.orgId() + '\u0000' + e.id();
    }

    private static boolean restricted(IngestTx tx, UsageEvent e) {
        Restrictions org = tx.restrictions(e.orgId(), "");
        Restrictions member = tx.restrictions(e.orgId(), e.memberId());
        return !(org.allowsModel(e.modelId()) && member.allowsModel(e.modelId())
                && org.allowsActivity(e.activity()) && member.allowsActivity(e.activity()));
    }

    /** Prices one event with the rate version in force at its occurrence. */
    public PricedEvent price(UsageEvent e, Model model) {
        return price(e, model, false);
    }

    private PricedEvent price(UsageEvent e, Model model, boolean restricted) {
        RateVersion version = model.versionAt(e.occurredAt());
        Rates rates = version == null ? Rates.NONE : version.rates();
        long nominal = pricer.priceMicros(rates, e.tokens(), e.toolCalls());
        String unmeteredReason = e.byoKey() ? "byo_key" : version != null && version.unmetered() ? "model" : !meteringOn ? "deployment" : null;
        return new PricedEvent(e, version == null ? null : version.version(), nominal, unmeteredReason == null ? nominal : 0, unmeteredReason,
                restricted);
    }

    private static void post(IngestTx tx, OrgRef org, List<PricedEvent> events) {
        Map<LocalDate, PeriodTotals> totals = new TreeMap<>();
        Drawdown drawdown = null;
        Map<LocalDate, Map<String, long[]>> byMember = new TreeMap<>();
        for (PricedEvent p : events) {
            LocalDate period = Periods.periodStart(p.event().occurredAt());
            if (!totals.containsKey(period)) {
                // The buckets of a month are taken when its first event comes, after the events before it drew: a
                // rollover allotment stored now carries what the month before has left then — as when the events
                // are posted one by one, in this order.
                if (drawdown != null) tx.saveConsumption(org.id(), drawdown.changed());
                totals.put(period, PeriodTotals.ZERO);
                drawdown = new Drawdown(tx.bucketsFor(org, totals.keySet()));
            }
            long overage = drawdown.draw(p.event().occurredAt(), p.chargedMicros());
            totals.compute(period, (k, t) -> t.plus(p, overage));
            long[] member = byMember.computeIfAbsent(period, k -> new TreeMap<>()).computeIfAbsent(p.event().memberId(), k -> new long[2]);
            member[0]++;
            member[1] = Math.addExact(member[1], p.chargedMicros());
            if (p.event().reservationId() != null) tx.settleReservation(org.id(), p.event().reservationId(), p.event().memberId(), p.event().id());
        }
        if (drawdown != null) tx.saveConsumption(org.id(), drawdown.changed());
        totals.forEach((period, delta) -> tx.addPeriodTotals(org.id(), period, delta));
        Map<LocalDate, Set<String>> membersByPeriod = new TreeMap<>();
        byMember.forEach((period, perMember) -> {
            perMember.forEach((memberId, t) -> tx.addMemberConsumption(org.id(), period, memberId, t[0], t[1]));
            membersByPeriod.put(period, perMember.keySet());
        });
        tx.raiseAlerts(org, membersByPeriod);
        tx.addRollups(org.id(), RollupDelta.of(events));
    }
}
