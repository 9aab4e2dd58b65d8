package creditline.plan;

import java.time.LocalDate;

/**
 * An org's plan and usage in the current period. {@code creditsUsedMicros} are the credits
 * charged for events that occurred in the period; {@code overageMicros} the part of them no
 * credit bucket covered.
 */
public record Subscription(Plan plan, String status, LocalDate periodStart, LocalDate periodEnd,
                           long creditsUsedMicros, long overageMicros, long events,
                           long inputTokens, long outputTokens, long cacheWriteTokens, long cacheReadTokens,
                           Balance balance) {

    public long totalTokens() {
        return inputTokens + outputTokens + cacheWriteTokens + cacheReadTokens;
    }
}
