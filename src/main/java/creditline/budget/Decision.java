package creditline.budget;

/**
 * The answer to "may this call run?". Remaining amounts are what is left at each level after
 * consumption and open reservations (null: unlimited), before this call.
 */
public record Decision(boolean allowed, Reason reason, String message,
                       Long orgBudgetRemainingMicros, Long memberBudgetRemainingMicros, long balanceRemainingMicros) {}
