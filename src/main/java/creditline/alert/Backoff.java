package creditline.alert;

import java.time.Duration;

/** Exponential backoff of webhook retries: base, 2x, 4x, ... capped at one hour; then give up. */
public final class Backoff {
    public static final int ATTEMPTS_MAX = 12;
    static final Duration DELAY_MAX = Duration.ofHours(1);

    private Backoff() {}

    /** The wait after the {@code attempts}-th failed attempt (1-based), or null when no attempt is left. */
    public static Duration after(int attempts, Duration base) {
        if (attempts >= ATTEMPTS_MAX) return null;
        Duration d = base.multipliedBy(1L << Math.min(attempts - 1, 30));
        return d.compareTo(DELAY_MAX) > 0 ? DELAY_MAX : d;
    }
}
