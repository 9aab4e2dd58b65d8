package creditline.testing;

import java.util.SplittableRandom;

/**
 * Seeds for property tests: {@code -Dcreditline.seed=N} replays one run; otherwise a new seed
 * each run, printed so a failure can be replayed.
 */
public final class Seeds {
    private Seeds() {}

    public static long seed(String testName) {
        String fixed = System.getProperty("creditline.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime() ^ testName.hashCode();
        System.out.println(testName + ": seed " + seed + " (replay with -Dcreditline.seed=" + seed + ")");
        return seed;
    }

    public static SplittableRandom random(String testName) {
        return new SplittableRandom(seed(testName));
    }

    /** The message to attach to assertions so the seed shows in the failure. */
    public static String replay(long seed) {
        return "replay with -Dcreditline.seed=" + seed;
    }
}
