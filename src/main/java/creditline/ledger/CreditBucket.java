package creditline.ledger;

import java.time.Instant;

/**
 * Credits an org may consume: a month's plan allotment ({@code kind = PLAN}) or an operator
 * grant. Valid in {@code [validFrom, expiresAt)}; a null bound is open.
 */
public record CreditBucket(
        String id,
        Kind kind,
        long creditsMicros,
        long consumedMicros,
        Instant validFrom,
        Instant expiresAt,
        String reason,
        Instant createdAt) {

    public enum Kind { PLAN, GRANT }

    public CreditBucket {
        if (consumedMicros < 0 || creditsMicros < 0) throw new IllegalArgumentException("negative bucket amount");
    }

    public long remainingMicros() {
        return Math.max(0, creditsMicros - consumedMicros);
    }

    public boolean validAt(Instant at) {
        return (validFrom == null || !at.isBefore(validFrom)) && (expiresAt == null || at.isBefore(expiresAt));
    }

    public CreditBucket withConsumed(long consumed) {
        return new CreditBucket(id, kind, creditsMicros, consumed, validFrom, expiresAt, reason, createdAt);
    }

    public CreditBucket withCredits(long credits) {
        return new CreditBucket(id, kind, credits, consumedMicros, validFrom, expiresAt, reason, createdAt);
    }
}
