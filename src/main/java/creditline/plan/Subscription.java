package creditline.plan;

import java.time.LocalDate;

/**
 * An org's plan and usage in the current period. {@code allotmentMicros} is this month's plan
 * allotment as granted (a plan edit applies from the next month's allotment; a plan change at
 * once). {@code creditsUsedMicros} are the credits
 * charged for events that occurred in the period; {@code overageMicros} the part of them no
 * credit bucket covered.
 */
public record Subscription(Plan plan, String status, LocalDate periodStart, LocalDate periodEnd,
                           long allotmentMicros, long creditsUsedMicros, long overageMicros, long events,
                           long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens,
                           Balance balance) {

    public long totalTokens() {
        return Math.addExact(Math.addExact(inputTokens, outputTokens), Math.addExact(cacheWriteTokens, cacheReadTokens));
    }
}
