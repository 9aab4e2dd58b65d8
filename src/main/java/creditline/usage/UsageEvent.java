package creditline.usage;

import creditline.pricing.TokenCounts;
import java.time.Instant;

/**
 * One AI request as reported by the operator's backend. {@code details} are recorded for the
 * export and never affect the price.
 */
public record UsageEvent(
        String id,
        String orgId,
        String memberId,
        String modelId,
        String activity,
        Instant occurredAt,
        TokenCounts tokens,
        long toolCalls,
        String reservationId,
        boolean byoKey,
        Details details) {

    /** Request details kept for the request-level export. Any field may be null. */
    public record Details(
            String agent,
            String conversation,
            String task,
            String session,
            Long latencyMs,
            String status,
            String region,
            Long retries,
            Long iterations,
            Long externalCalls,
            Long contextBytes,
            String metadataJson) {
        public static final Details NONE = new Details(null, null, null, null, null, null, null, null, null, null, null, null);
    }
}
