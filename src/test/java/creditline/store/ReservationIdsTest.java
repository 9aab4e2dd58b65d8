package creditline.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReservationIdsTest {

    /** Seeded random times and orgs: an id names its org, and a later millisecond sorts after an earlier one of the same org. */
    @Test
    void idsCarryTheirOrgAndSortByCreationTime() {
        Random rnd = new Random(20261124);
        String[] orgs = {"acme", "org_é.ü/+=", "a.b.c", ""};
        for (int i = 0; i < 10_000; i++) {
            String org = orgs[rnd.nextInt(orgs.length)];
            long t = rnd.nextLong((1L << 48) - 1);
            long later = t + 1 + rnd.nextLong((1L << 48) - 1 - t);
            String first = ReservationIds.next(org, t);
            String second = ReservationIds.next(org, later);
            assertEquals(org, ReservationIds.orgOf(first));
            assertEquals(org, ReservationIds.orgOf(second));
            assertTrue(first.compareTo(second) < 0, first + " made at " + t + " sorts before " + second + " made at " + later);
        }
    }

    @Test
    void idsOfOneMillisecondDifferAndKeepTheirShape() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String id = ReservationIds.next("acme", 1_795_000_000_000L);
            assertTrue(seen.add(id), "unique: " + id);
            assertTrue(id.matches("rsv\\.YWNtZQ\\.01a1ee565e00[0-9a-f]{20}"), id);
        }
    }

    @Test
    void malformedIdsHaveNoOrg() {
        assertNull(ReservationIds.orgOf(null));
        assertNull(ReservationIds.orgOf("rsv.YWNtZQ"));
        assertNull(ReservationIds.orgOf("hold.YWNtZQ.00"));
        assertNull(ReservationIds.orgOf("rsv.!!!.00"));
    }
}
