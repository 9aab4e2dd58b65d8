package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnownHoldsTest {
    private static final Instant NOW = Instant.parse("2026-03-10T12:00:00Z");
    private static final KnownHolds.Hold HOLD = new KnownHolds.Hold("a@x.io", 4_000_000, NOW.plusSeconds(600));

    private static Map<String, KnownHolds.Hold> holds(Object... idsAndHolds) {
        Map<String, KnownHolds.Hold> m = new HashMap<>();
        for (int i = 0; i < idsAndHolds.length; i += 2) m.put((String) idsAndHolds[i], (KnownHolds.Hold) idsAndHolds[i + 1]);
        return m;
    }

    @Test
    void holdsAreKnownOnlyToTheBatchRightAfterTheCommitThatLeftThem() {
        KnownHolds known = new KnownHolds();
        known.committed("o", 7, holds("r1", HOLD), NOW);
        assertThat(known.before("o", 8)).containsOnlyKeys("r1");
        assertThat(known.before("o", 9)).as("another instance committed version 8").isEmpty();
        assertThat(known.before("o", 7)).isEmpty();
        assertThat(known.before("o", -1)).as("a batch that knows no version").isEmpty();
        assertThat(known.before("p", 8)).isEmpty();
    }

    @Test
    void aBatchGetsACopyAndExpiredHoldsAreDropped() {
        KnownHolds known = new KnownHolds();
        known.committed("o", 1, holds("r1", HOLD, "gone", new KnownHolds.Hold("a@x.io", 1, NOW)), NOW);
        Map<String, KnownHolds.Hold> copy = known.before("o", 2);
        assertThat(copy).containsOnlyKeys("r1");
        copy.clear();
        assertThat(known.before("o", 2)).containsOnlyKeys("r1");
    }

    @Test
    void forgettingAnOrgAndTheBoundOnMemoryOnlyEverShrinkWhatIsKnown() {
        KnownHolds known = new KnownHolds();
        known.committed("o", 1, holds("r1", HOLD), NOW);
        known.forget("o");
        assertThat(known.before("o", 2)).isEmpty();

        Map<String, KnownHolds.Hold> many = new HashMap<>();
        for (int i = 0; i < KnownHolds.HOLDS_MAX; i++) many.put("r" + i, HOLD);
        known.committed("p", 1, holds("x", HOLD), NOW);
        known.committed("o", 3, many, NOW);
        assertThat(known.before("p", 2)).as("over the bound: tracking started over").isEmpty();
        assertThat(known.before("o", 4)).hasSize(KnownHolds.HOLDS_MAX);
    }
}
