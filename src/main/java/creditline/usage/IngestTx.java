package creditline.usage;

import creditline.budget.Restrictions;
import creditline.ledger.CreditBucket;
import creditline.pricing.Model;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What ingest needs from the write transaction it runs in (implemented by the store). */
public interface IngestTx {
    Map<String, Model> models(Set<String> modelIds);

    Map<String, OrgRef> orgs(Set<String> orgIds);

    Set<String> existingMembers(String orgId, Set<String> memberIds);

    /** The org's usage since it began: the sum of its period totals ({@link LifetimeUsage}). */
    LifetimeUsage lifetimeUsage(String orgId);

    /** Inserts the events unless their (org, id) exists; returns, per event, whether it was inserted. */
    boolean[] insertEvents(List<PricedEvent> events);

    /** The recorded charge of already stored events, by id. */
    Map<String, Long> chargedMicros(String orgId, Collection<String> eventIds);

    /** The org's buckets valid in any of {@code periods}; plan buckets of those periods are created when missing. */
    List<CreditBucket> bucketsFor(OrgRef org, Set<LocalDate> periods);

    void saveConsumption(String orgId, List<CreditBucket> changed);

    void addPeriodTotals(String orgId, LocalDate periodStart, PeriodTotals delta);

    /** Allow-lists of the org (memberId "") or of one member. */
    Restrictions restrictions(String orgId, String memberId);

    void addMemberConsumption(String orgId, LocalDate periodStart, String memberId, long events, long consumedMicros);

    /** Marks the member's open reservation settled by their event; unknown, closed or another member's reservations are left alone. */
    void settleReservation(String orgId, String reservationId, String memberId, String eventId);

    /**
     * Raises the alerts the org's state calls for in each period with usage (the org's budget and
     * plan, and the budgets of the members with usage in that period), once the draw is recorded.
     */
    void raiseAlerts(OrgRef org, Map<LocalDate, Set<String>> membersByPeriod);

    /** Adds newly recorded events of the org to its usage rollups (one delta per distinct cell). */
    void addRollups(String orgId, List<RollupDelta> deltas);
}
