package creditline.alert;

import java.time.LocalDate;

/**
 * A threshold reached. {@code scope} is {@code org} (the org budget; for admins),
 * {@code member} (a member's budget; for that member) or {@code plan} (the plan balance).
 */
public record Alert(Kind kind, String scope, String memberId, int thresholdPercent, LocalDate periodStart,
                    long consumedMicros, Long limitMicros) {
    public enum Kind { BUDGET_THRESHOLD, BUDGET_EXHAUSTED, PLAN_CREDITS_LOW, PLAN_CREDITS_EXHAUSTED }

    public static final int PLAN_LOW_PERCENT = 80;

    public static Alert budget(String scope, String memberId, int percent, LocalDate period, long consumed, Long limit) {
        return new Alert(percent >= 100 ? Kind.BUDGET_EXHAUSTED : Kind.BUDGET_THRESHOLD, scope, memberId, percent, period, consumed, limit);
    }
}
