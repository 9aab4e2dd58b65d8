package creditline.ledger;

import creditline.plan.Periods;
import creditline.plan.Plan;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The plan allotment of one month as a credit bucket. Reads and writes build it with the same
 * function, so a month whose bucket is not stored yet shows exactly what will be stored.
 */
public final class PlanAllotment {
    private PlanAllotment() {}

    public static String bucketId(LocalDate periodStart) {
        return "plan:" + periodStart;
    }

    /**
     * @param previous the previous month's plan bucket, or null; its unused credits carry over
     *     only when the plan says so
     */
    public static CreditBucket bucket(Plan plan, LocalDate periodStart, CreditBucket previous, Instant createdAt) {
        long credits = plan.creditsIncludedMicros();
        if (plan.rollover() && previous != null) credits = Math.addExact(credits, previous.remainingMicros());
        return new CreditBucket(bucketId(periodStart), CreditBucket.Kind.PLAN, credits, 0,
                Periods.startInstant(periodStart), Periods.endInstant(periodStart),
                "plan " + plan.id() + " " + periodStart.toString().substring(0, 7), createdAt);
    }
}
