package creditline.alert;

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
        long consumedTimes100 = Math.multiplyExact(consumedMicros, 100L);
        if (alertPercent < 100 && consumedTimes100 >= Math.multiplyExact(budgetMicros, (long) alertPercent)) out.add(alertPercent);
        if (consumedMicros >= budgetMicros) out.add(100);
        return out;
    }
}
