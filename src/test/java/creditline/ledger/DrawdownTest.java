package creditline.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Seeds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrawdownTest {
    private static final Instant T0 = Instant.parse("2026-11-10T00:00:00Z");

    private static CreditBucket bucket(String id, long credits, Instant validFrom, Instant expiresAt) {
        return new CreditBucket(id, CreditBucket.Kind.GRANT, credits, 0, validFrom, expiresAt, "", T0.minusSeconds(100));
    }

    @Test
    void spendsWhatExpiresFirstAndNoExpiryLast() {
        CreditBucket never = bucket("never", 100, null, null);
        CreditBucket late = bucket("late", 100, null, T0.plusSeconds(3_000));
        CreditBucket soon = bucket("soon", 100, null, T0.plusSeconds(1_000));
        Drawdown d = new Drawdown(List.of(never, late, soon));
        assertThat(d.draw(T0, 150)).isZero();
        assertThat(d.changed()).extracting(CreditBucket::id, CreditBucket::consumedMicros)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("soon", 100L), org.assertj.core.groups.Tuple.tuple("late", 50L));
    }

    @Test
    void skipsBucketsNotValidAtTheEventAndReturnsOverage() {
        CreditBucket expired = bucket("expired", 100, null, T0);
        CreditBucket future = bucket("future", 100, T0.plusSeconds(1), null);
        CreditBucket ok = bucket("ok", 30, null, null);
        Drawdown d = new Drawdown(List.of(expired, future, ok));
        assertThat(d.draw(T0, 50)).isEqualTo(20);
        assertThat(d.changed()).extracting(CreditBucket::id).containsExactly("ok");
    }

    /** Conservation: every micro-credit drawn is either in some bucket's consumption or overage. */
    @Test
    void conservesEveryMicroCredit() {
        long seed = Seeds.seed("DrawdownTest.conservesEveryMicroCredit");
        SplittableRandom r = new SplittableRandom(seed);
        for (int round = 0; round < 500; round++) {
            List<CreditBucket> buckets = new ArrayList<>();
            int n = r.nextInt(6);
            for (int i = 0; i < n; i++) {
                Instant from = r.nextBoolean() ? null : T0.plusSeconds(r.nextInt(-500, 500));
                Instant to = r.nextBoolean() ? null : T0.plusSeconds(r.nextInt(-500, 1_500));
                buckets.add(bucket("b" + i, r.nextLong(1_000), from, to));
            }
            Drawdown d = new Drawdown(buckets);
            long drawn = 0;
            long overage = 0;
            for (int e = 0; e < 20; e++) {
                long amount = r.nextLong(300);
                drawn += amount;
                overage += d.draw(T0.plusSeconds(r.nextInt(-600, 1_600)), amount);
            }
            long consumed = d.changed().stream().mapToLong(CreditBucket::consumedMicros).sum();
            assertThat(consumed + overage).as(Seeds.replay(seed)).isEqualTo(drawn);
            assertThat(d.changed()).allSatisfy(b -> assertThat(b.consumedMicros()).isLessThanOrEqualTo(b.creditsMicros()));
        }
    }
}
