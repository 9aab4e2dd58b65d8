package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KnownHoldsTest {
    private static final KnownHolds.Hold HOLD = new KnownHolds.Hold("a@x.io", 4_000_000, Instant.parse("2026-03-10T12:10:00Z"));

    private static Map<String, KnownHolds.Hold> holds(String... ids) {
        Map<String, KnownHolds.Hold> m = new HashMap<>();
        for (String id : ids) m.put(id, HOLD);
        return m;
    }

    @Test
    void holdsAreKnownOnlyToTheBatchRightAfterTheCommitThatLeftThem() {
        for (long version : new long[] {9, 7, -1}) { // another instance committed 8; an older version; a batch that knows none
            KnownHolds known = new KnownHolds();
            known.committed("o", 7, holds("r1"));
            assertThat(known.take("o", version)).as("version %d", version).isEmpty();
        }
        KnownHolds known = new KnownHolds();
        known.committed("o", 7, holds("r1"));
        assertThat(known.take("p", 8)).isEmpty();
        assertThat(known.take("o", 8)).containsOnlyKeys("r1");
    }

    @Test
    void aBatchTakesWhatIsKnownAndOnlyItsCommitGivesItBack() {
        KnownHolds known = new KnownHolds();
        known.committed("o", 1, holds("r1"));
        Map<String, KnownHolds.Hold> batch = known.take("o", 2);
        batch.put("r2", HOLD);
        assertThat(known.take("o", 2)).as("taken: a second look, or a retry after a failure, knows nothing").isEmpty();
        known.committed("o", 2, batch);
        assertThat(known.take("o", 3)).containsOnlyKeys("r1", "r2");
    }

    @Test
    void theBoundOnMemoryOnlyEverShrinksWhatIsKnown() {
        KnownHolds known = new KnownHolds();
        known.committed("p", 1, holds("x"));
        Map<String, KnownHolds.Hold> many = new HashMap<>();
        for (int i = 0; i < KnownHolds.HOLDS_MAX; i++) many.put("r" + i, HOLD);
        known.committed("o", 3, many);
        assertThat(known.take("p", 2)).as("over the bound: tracking started over").isEmpty();
        assertThat(known.take("o", 4)).hasSize(KnownHolds.HOLDS_MAX);
    }
}
