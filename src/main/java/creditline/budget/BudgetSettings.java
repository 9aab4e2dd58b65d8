package creditline.budget;

import creditline.common.Failure;

/**
 * An org's budget configuration: its monthly budget and the default monthly member budget.
 * Amounts are micro-credits; null means unlimited. Alert percents are 1..100.
 */
public record BudgetSettings(Budget org, Budget defaultMember) {
    public static final int ALERT_PERCENT_DEFAULT = 80;
    public static final BudgetSettings NONE = new BudgetSettings(Budget.UNLIMITED, Budget.UNLIMITED);

    /** One budget: amount (null: unlimited), whether it blocks, whether it notifies, the alert threshold. */
    public record Budget(Long creditsMicros, boolean enforce, boolean notifies, int alertPercent) {
        public static final Budget UNLIMITED = new Budget(null, false, false, ALERT_PERCENT_DEFAULT);

        public Budget {
            if (creditsMicros != null && creditsMicros < 0) throw new IllegalArgumentException("a budget must not be negative");
            if (alertPercent < 1 || alertPercent > 100) throw new IllegalArgumentException("alertPercent must be 1..100, got " + alertPercent);
        }

        public Budget withCredits(Long credits) {
            return new Budget(credits, enforce, notifies, alertPercent);
        }
    }

    /** A requested alert threshold, as REST and GraphQL check it: 1 to 100; {@code field} names it in the error. */
    public static int alertPercent(long requested, String field) {
        if (requested < 1 || requested > 100) throw Failure.invalid(field, field + " must be 1 to 100, got " + requested);
        return (int) requested;
    }

    /**
     * The member's effective budget: the override's amount when the member has one (its null
     * meaning unlimited), otherwise the default's; enforcement and alerts from the default.
     */
    public Budget forMember(boolean hasOverride, Long overrideMicros) {
        return hasOverride ? defaultMember.withCredits(overrideMicros) : defaultMember;
    }
}
