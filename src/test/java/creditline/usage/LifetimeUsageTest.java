package creditline.usage;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.pricing.TokenCounts;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lifetime limit that keeps every sum of an org's usage within 64 bits. */
class LifetimeUsageTest {
    private static final long L = LifetimeUsage.LIMIT;

    private static PricedEvent event(long nominalMicros, TokenCounts tokens) {
        UsageEvent e = new UsageEvent("e", "o", "m@o.example", "model", "chat", Instant.EPOCH, tokens, 0, null, false, UsageEvent.Details.NONE);
        return new PricedEvent(e, 1, nominalMicros, nominalMicros, null, false);
    }

    @Test
    void eachSumMayReachTheLimitButNotPassIt() {
        LifetimeUsage none = new LifetimeUsage(PeriodTotals.ZERO);
        assertThat(none.admits(event(L, TokenCounts.ZERO))).isTrue();
        assertThat(none.admits(event(L + 1, TokenCounts.ZERO))).isFalse();
        assertThat(none.admits(event(Long.MAX_VALUE, TokenCounts.ZERO))).isFalse();
        LifetimeUsage nearly = new LifetimeUsage(new PeriodTotals(0, 0, 0, L - 5, L - 5, L - 5, L - 5, L - 5));
        assertThat(nearly.admits(event(5, new TokenCounts(5, 5, 5, 5)))).isTrue();
        assertThat(nearly.admits(event(6, TokenCounts.ZERO))).isFalse();
        assertThat(nearly.admits(event(0, new TokenCounts(6, 0, 0, 0)))).isFalse();
        assertThat(nearly.admits(event(0, new TokenCounts(0, 6, 0, 0)))).isFalse();
        assertThat(nearly.admits(event(0, new TokenCounts(0, 0, 6, 0)))).isFalse();
        assertThat(nearly.admits(event(0, new TokenCounts(0, 0, 0, 6)))).isFalse();
        // Audio and image tokens count with input and output, 1-hour cache writes with cache writes (as PeriodTotals keeps them).
        assertThat(nearly.admits(event(0, new TokenCounts(0, 0, 0, 0, 6, 0, 0, 0, 0)))).isFalse();
        assertThat(nearly.admits(event(0, new TokenCounts(0, 0, 0, 0, 0, 3, 0, 3, 0)))).isFalse();
    }

    @Test
    void whateverIsAdmittedKeepsEveryPeriodSumWithin64Bits() {
        long seed = Long.getLong("creditline.seed", System.nanoTime());
        System.out.println("LifetimeUsageTest seed " + seed);
        Random r = new Random(seed);
        for (int run = 0; run < 200; run++) {
            LifetimeUsage life = new LifetimeUsage(PeriodTotals.ZERO);
            PeriodTotals totals = PeriodTotals.ZERO;
            for (int i = 0; i < 200; i++) {
                long big = 1L << (40 + r.nextInt(22));
                PricedEvent p = event(r.nextLong(big), new TokenCounts(r.nextLong(big), r.nextLong(big), r.nextLong(big), r.nextLong(big),
                        r.nextLong(big), r.nextLong(big), r.nextLong(big), r.nextLong(big), r.nextLong(big)));
                if (!life.admits(p)) continue;
                life = life.plus(p);
                totals = totals.plus(p, p.chargedMicros()); // exact: throws on overflow
                assertThat(totals.totalTokens()).as("seed %d", seed).isLessThanOrEqualTo(4 * L);
                assertThat(totals.nominalMicros()).isEqualTo(life.totals().nominalMicros());
            }
        }
    }
}
