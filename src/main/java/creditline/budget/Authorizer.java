package creditline.budget;

import creditline.plan.Plan;
import creditline.pricing.Credits;

/**
 * Decides whether a call may run. Checks, in order: org status, model and activity allow-lists
 * (org, then member), the plan (hard-limit plans block when the balance cannot cover the call,
 * and at their token limit), the org's enforced budget, the member's enforced budget. A call
 * "fits" a level when what remains there is positive and at least the estimate.
 */
public final class Authorizer {
    private Authorizer() {}

    public static Decision decide(AuthState s, String model, String activity, long estimateMicros) {
        if (estimateMicros < 0) throw new IllegalArgumentException("estimate must not be negative");
        Long org = s.orgRemainingMicros();
        Long member = s.memberRemainingMicros();
        long balance = s.balanceAvailableMicros();
        if (!"active".equals(s.orgStatus())) {
            return deny(s, Reason.ORG_SUSPENDED, "This organization is suspended; AI calls are blocked. Contact your administrator.");
        }
        if (!s.orgRestrictions().allowsModel(model) || !s.memberRestrictions().allowsModel(model)) {
            return deny(s, Reason.MODEL_NOT_ALLOWED, "The model '" + model + "' is not allowed for you. Contact your administrator to allow it.");
        }
        if (!s.orgRestrictions().allowsActivity(activity) || !s.memberRestrictions().allowsActivity(activity)) {
            return deny(s, Reason.ACTIVITY_NOT_ALLOWED, "The activity '" + activity + "' is not allowed for you. Contact your administrator to allow it.");
        }
        if (s.overage() == Plan.Overage.BLOCK) {
            if (!fits(balance, estimateMicros)) {
                return deny(s, Reason.CREDITS_EXHAUSTED, balance <= 0
                        ? "The organization's credits are used up until the plan renews or is upgraded."
                        : "The organization has " + Credits.format(balance) + " credits left, less than this call's estimate of "
                                + Credits.format(estimateMicros) + ".");
            }
            if (s.tokensIncluded() != null && s.periodTokensUsed() >= s.tokensIncluded()) {
                return deny(s, Reason.TOKEN_LIMIT_REACHED, "The plan's monthly limit of " + s.tokensIncluded()
                        + " tokens is reached until the plan renews or is upgraded.");
            }
        }
        if (s.orgBudget().enforce() && org != null && !fits(org, estimateMicros)) {
            return deny(s, Reason.ORG_BUDGET_EXHAUSTED, org <= 0
                    ? "Your organization's monthly credit budget is used up. Contact your administrator."
                    : "Your organization's monthly credit budget has " + Credits.format(org) + " credits left, less than this call's estimate of "
                            + Credits.format(estimateMicros) + ". Contact your administrator.");
        }
        if (s.memberBudget().enforce() && member != null && !fits(member, estimateMicros)) {
            return deny(s, Reason.MEMBER_BUDGET_EXHAUSTED, member <= 0
                    ? "Your monthly credit budget is used up. Contact your administrator to raise it."
                    : "Your monthly credit budget has " + Credits.format(member) + " credits left, less than this call's estimate of "
                            + Credits.format(estimateMicros) + ". Contact your administrator to raise it.");
        }
        return new Decision(true, Reason.OK, "Allowed.", org, member, balance);
    }

    private static boolean fits(long remaining, long estimate) {
        return remaining > 0 && remaining >= estimate;
    }

    private static Decision deny(AuthState s, Reason reason, String message) {
        return new Decision(false, reason, message, s.orgRemainingMicros(), s.memberRemainingMicros(), s.balanceAvailableMicros());
    }
}
