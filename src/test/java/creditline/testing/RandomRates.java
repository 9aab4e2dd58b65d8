package creditline.testing;

import creditline.pricing.Rates;
import java.util.SplittableRandom;

/** Random rate cards and token counts for property tests: any rate may be missing, some are absurdly high. */
public final class RandomRates {
    private RandomRates() {}

    /** A random card: a modality part and a tier (either rule) each half of the time. */
    public static Rates card(SplittableRandom r) {
        Rates.Modality modality = r.nextBoolean() ? Rates.Modality.NONE
                : new Rates.Modality(rate(r), rate(r), rate(r), rate(r));
        Rates.Tier tier = r.nextBoolean() ? null : new Rates.Tier(1 + tokens(r), r.nextBoolean() ? Rates.TierRule.WHOLE_REQUEST
                : Rates.TierRule.PER_BUCKET, rate(r), rate(r), rate(r), rate(r), rate(r));
        return new Rates(rate(r), rate(r), rate(r), rate(r), rate(r), rate(r), rate(r), rate(r), modality, tier);
    }

    /** Micro-credits per 1M tokens, or null (not configured). */
    public static Long rate(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> r.nextLong(1_000_000L);               // < 1 credit, micro precision
            case 2 -> r.nextLong(10_000_000_000L);          // up to 10,000 credits
            default -> r.nextLong(100_000_000_000_000L);    // absurdly high: exercises the wide path
        };
    }

    /** 0, a realistic count, or a huge one. */
    public static long tokens(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> r.nextLong(100_000);
            default -> r.nextLong(10_000_000_000L);
        };
    }
}
