package creditline.alert;

import creditline.budget.BudgetSettings;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which alerts the state of one org and month calls for. Idempotent by design: it lists every
 * threshold reached, and storage keeps the first notification of each.
 */
public final class AlertRules {
    private AlertRules() {}

    /** A member's budget state in the period. */
    public record MemberState(BudgetSettings.Budget budget, long consumedMicros) {}

    /**
     * @param planCreditsMicros the month's plan allotment, null when the period is not the current one
     * @param planConsumedMicros consumed from that allotment
     * @param balanceMicros credits left now (allotment + grants); only read with a current period
     * @param grantedMicros credits of the grants valid now (what a plan without an allotment lives on)
     */
    public static List<Alert> evaluate(LocalDate period, BudgetSettings budgets, long orgConsumedMicros, Map<String, MemberState> members,
                                       Long planCreditsMicros, long planConsumedMicros, long balanceMicros, long grantedMicros) {
        List<Alert> out = new ArrayList<>();
        BudgetSettings.Budget org = budgets.org();
        if (org.notifies()) {
            for (int p : Thresholds.reached(orgConsumedMicros, org.creditsMicros(), org.alertPercent())) {
                out.add(Alert.budget("org", "", p, period, orgConsumedMicros, org.creditsMicros()));
            }
        }
        members.forEach((memberId, m) -> {
            if (!m.budget().notifies()) return;
            for (int p : Thresholds.reached(m.consumedMicros(), m.budget().creditsMicros(), m.budget().alertPercent())) {
                out.add(Alert.budget("member", memberId, p, period, m.consumedMicros(), m.budget().creditsMicros()));
            }
        });
        if (planCreditsMicros != null && planCreditsMicros > 0
                && Thresholds.reached(planConsumedMicros, planCreditsMicros, Alert.PLAN_LOW_PERCENT).contains(Alert.PLAN_LOW_PERCENT)) {
            out.add(new Alert(Alert.Kind.PLAN_CREDITS_LOW, "plan", "", Alert.PLAN_LOW_PERCENT, period, planConsumedMicros, planCreditsMicros));
        }
        // Out of credits: of the allotment and grants, or of the grants alone on a plan that allots none
        // (a plan with neither has nothing to run out of).
        if (planCreditsMicros != null && (planCreditsMicros > 0 || grantedMicros > 0) && balanceMicros <= 0) {
            out.add(new Alert(Alert.Kind.PLAN_CREDITS_EXHAUSTED, "plan", "", 100, period, planConsumedMicros, planCreditsMicros));
        }
        return out;
    }
}
