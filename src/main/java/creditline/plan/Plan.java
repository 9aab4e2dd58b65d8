package creditline.plan;

import java.util.List;

/**
 * A subscription plan.
 *
 * @param monthlyPriceMinor price per month in minor units of {@code currency} (cents for USD)
 * @param creditsIncludedMicros credits allotted each month
 * @param tokensIncluded optional monthly token allowance (null: none)
 * @param overagePricePerCreditMinorMicros price of one overage credit in millionths of a minor unit (null: not priced)
 * @param rollover whether a month's unused allotment carries into the next month's allotment
 */
public record Plan(
        String id,
        String name,
        long monthlyPriceMinor,
        String currency,
        long creditsIncludedMicros,
        Long tokensIncluded,
        Overage overage,
        Long overagePricePerCreditMinorMicros,
        List<String> features,
        boolean rollover) {

    public enum Overage {
        /** Hard limit: calls are blocked when the credits run out, until renewal or upgrade. */
        BLOCK,
        /** Usage continues past the allotment; the excess is billed at the overage price. */
        ALLOW
    }

    public Plan {
        if (creditsIncludedMicros < 0) throw new IllegalArgumentException("creditsIncluded must not be negative");
        if (monthlyPriceMinor < 0) throw new IllegalArgumentException("monthlyPrice must not be negative");
        if (tokensIncluded != null && tokensIncluded < 0) throw new IllegalArgumentException("tokensIncluded must not be negative");
        features = List.copyOf(features);
    }
}
