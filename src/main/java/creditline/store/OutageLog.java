package creditline.store;

import org.slf4j.Logger;

/**
 * Lines about an unavailable database, one a second at most, each saying how many it stands for:
 * during an outage every request fails the same way, and a line per failure floods the log
 * (hundreds a second) without saying more. Used by one thread.
 */
final class OutageLog {
    private static final long INTERVAL_NANOS = 1_000_000_000L;
    private long lastNanos = System.nanoTime() - INTERVAL_NANOS;
    private long unsaid;

    void note(Logger log, String line) {
        long now = System.nanoTime();
        if (now - lastNanos < INTERVAL_NANOS) {
            unsaid++;
            return;
        }
        log.warn(unsaid == 0 ? line : line + " (and " + unsaid + " more since the last line)");
        lastNanos = now;
        unsaid = 0;
    }
}
