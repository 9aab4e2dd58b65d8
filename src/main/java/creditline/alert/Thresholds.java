package creditline.alert;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** Which alert thresholds a consumption has reached. */
public final class Thresholds {
    private Thresholds() {}

    /**
     * The thresholds reached by {@code consumedMicros} against {@code budgetMicros}: the alert
     * percent (when below 100) once consumption reaches that share, and 100 once it reaches the
     * budget. None for an unlimited (null) budget.
     */
    public static List<Integer> reached(long consumedMicros, Long budgetMicros, int alertPercent) {
        List<Integer> out = new ArrayList<>(2);
        if (budgetMicros == null) return out;
        // consumed * 100 >= budget * percent, in BigInteger: budgets near the top of the range must not overflow.
        BigInteger consumedTimes100 = BigInteger.valueOf(consumedMicros).multiply(BigInteger.valueOf(100));
        if (alertPercent < 100 && consumedTimes100.compareTo(BigInteger.valueOf(budgetMicros).multiply(BigInteger.valueOf(alertPercent))) >= 0) {
            out.add(alertPercent);
        }
        if (consumedMicros >= budgetMicros) out.add(100);
        return out;
    }
}
