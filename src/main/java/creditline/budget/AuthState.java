package creditline.budget;

import creditline.plan.Plan;

/**
 * Everything a decision depends on, read at one moment. Amounts are micro-credits of the
 * current month; {@code *ReservedMicros} are open reservations.
 *
 * @param balanceMicros plan allotment + grants remaining now (before reservations)
 * @param periodTokensUsed tokens used by the org this month (for the plan's token limit)
 */
public record AuthState(
        String orgStatus,
        Plan.Overage overage,
        Long tokensIncluded,
        long periodTokensUsed,
        long balanceMicros,
        long orgReservedMicros,
        BudgetSettings.Budget orgBudget,
        long orgConsumedMicros,
        BudgetSettings.Budget memberBudget,
        long memberConsumedMicros,
        long memberReservedMicros,
        Restrictions orgRestrictions,
        Restrictions memberRestrictions) {

    /** Balance left after open reservations. */
    public long balanceAvailableMicros() {
        return balanceMicros - orgReservedMicros;
    }

    /** The org budget left after consumption and reservations; null when unlimited. */
    public Long orgRemainingMicros() {
        return orgBudget.creditsMicros() == null ? null : orgBudget.creditsMicros() - orgConsumedMicros - orgReservedMicros;
    }

    public Long memberRemainingMicros() {
        return memberBudget.creditsMicros() == null ? null : memberBudget.creditsMicros() - memberConsumedMicros - memberReservedMicros;
    }
}
