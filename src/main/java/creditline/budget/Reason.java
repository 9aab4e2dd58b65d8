package creditline.budget;

/** Why a call is allowed or not; exactly one per decision. */
public enum Reason {
    OK,
    ORG_SUSPENDED,
    MODEL_NOT_ALLOWED,
    ACTIVITY_NOT_ALLOWED,
    CREDITS_EXHAUSTED,
    TOKEN_LIMIT_REACHED,
    ORG_BUDGET_EXHAUSTED,
    MEMBER_BUDGET_EXHAUSTED
}
