package creditline.plan;

import creditline.ledger.CreditBucket;
import java.util.List;

/**
 * What an org can spend now: {@code creditsMicros} = remaining plan allotment + remaining grants
 * valid now; {@code reservedMicros} is held by open reservations; available = credits - reserved.
 */
public record Balance(long creditsMicros, long reservedMicros, List<CreditBucket> grants) {
    public long availableMicros() { return creditsMicros - reservedMicros; }
}
