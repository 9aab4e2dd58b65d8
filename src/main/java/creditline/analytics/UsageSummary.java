package creditline.analytics;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Usage over a date range: totals, the average per day over all the range's days, shares by
 * model, activity and agent (most credits first), and one entry per day of the range (days
 * without usage are zero). Built from rollup rows.
 */
public record UsageSummary(DateRange range, UsageTotals totals, long avgPerDayMicros,
                           List<Share> byModel, List<Share> byActivity, List<Share> byAgent, List<Day> daily) {

    /** One model's, activity's or agent's part. {@code key} "" is "no agent". */
    public record Share(String key, UsageTotals totals) {
        static final Comparator<Share> MOST_CREDITS_FIRST = Comparator.comparingLong((Share s) -> s.totals().chargedMicros()).reversed()
                .thenComparing(Share::key);
    }

    public record Day(LocalDate date, UsageTotals totals) {}

    /** Collects rollup rows: days by model, then activities by agent, each row at most once. */
    public static final class Builder {
        private final DateRange range;
        private final Map<Long, UsageTotals> days = new HashMap<>();
        private final Map<String, UsageTotals> models = new HashMap<>();
        private final Map<String, UsageTotals> activities = new HashMap<>();
        private final Map<String, UsageTotals> agents = new HashMap<>();
        private UsageTotals totals = UsageTotals.ZERO;

        public Builder(DateRange range) {
            this.range = range;
        }

        public void addDayModel(long epochDay, String model, UsageTotals t) {
            days.merge(epochDay, t, UsageTotals::plus);
            models.merge(model, t, UsageTotals::plus);
            totals = totals.plus(t);
        }

        public void addActivityAgent(String activity, String agent, UsageTotals t) {
            activities.merge(activity, t, UsageTotals::plus);
            agents.merge(agent, t, UsageTotals::plus);
        }

        public UsageSummary build() {
            List<Day> daily = new ArrayList<>(range.days());
            for (long d = range.fromEpochDay(); d < range.toEpochDay(); d++) {
                daily.add(new Day(LocalDate.ofEpochDay(d), days.getOrDefault(d, UsageTotals.ZERO)));
            }
            return new UsageSummary(range, totals, range.perDayMicros(totals.chargedMicros()),
                    shares(models), shares(activities), shares(agents), daily);
        }

    }

    /** The parts, most credits first (ties by key). */
    public static List<Share> shares(Map<String, UsageTotals> byKey) {
        List<Share> out = new ArrayList<>(byKey.size());
        byKey.forEach((k, t) -> out.add(new Share(k, t)));
        out.sort(Share.MOST_CREDITS_FIRST);
        return out;
    }
}
