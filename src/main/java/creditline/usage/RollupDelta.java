package creditline.usage;

import creditline.analytics.UsageTotals;
import creditline.pricing.TokenCounts;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.HashMap;

/**
 * What newly recorded events of one org add to one rollup cell. Tokens are kept in the four
 * reference buckets as {@link PeriodTotals} keeps them (audio and image count as input or output,
 * 1-hour cache writes as cache writes).
 */
public record RollupDelta(Cell cell, UsageTotals totals) {
    /**
     * A rollup cell: a UTC day (days since 1970-01-01), a member, a model, an activity and an agent
     * ({@code ""} when the event named none).
     */
    public record Cell(long epochDay, String memberId, String modelId, String activity, String agent) implements Comparable<Cell> {
        /** The order of the detail table's key (member, day, model, activity, agent), so its upserts walk the index in order. */
        @Override
        public int compareTo(Cell o) {
            int c = memberId.compareTo(o.memberId);
            if (c == 0) c = Long.compare(epochDay, o.epochDay);
            if (c == 0) c = modelId.compareTo(o.modelId);
            if (c == 0) c = activity.compareTo(o.activity);
            return c != 0 ? c : agent.compareTo(o.agent);
        }
    }

    /** The UTC day of an instant, as the rollups key it. */
    public static long epochDay(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC).toEpochDay();
    }

    /** One delta per distinct cell of the events (all of one org), in no particular order (see {@link #sorted}). */
    public static List<RollupDelta> of(List<PricedEvent> events) {
        Map<Cell, UsageTotals> cells = new HashMap<>();
        for (PricedEvent p : events) {
            UsageEvent e = p.event();
            TokenCounts t = e.tokens();
            Cell cell = new Cell(epochDay(e.occurredAt()), e.memberId(), e.modelId(), e.activity(),
                    e.details().agent() == null ? "" : e.details().agent());
            cells.merge(cell, new UsageTotals(1, p.chargedMicros(), p.nominalMicros(), t.inputAllModalities(), t.outputAllModalities(),
                            t.cacheWriteAllLifetimes(), t.cacheRead()),
                    UsageTotals::plus);
        }
        return deltas(cells);
    }

    /** The cells' deltas in cell order: the order the rollup tables are written in. */
    public static List<RollupDelta> sorted(Map<Cell, UsageTotals> cells) {
        List<RollupDelta> out = deltas(cells);
        out.sort(Comparator.comparing(RollupDelta::cell));
        return out;
    }

    private static List<RollupDelta> deltas(Map<Cell, UsageTotals> cells) {
        List<RollupDelta> out = new ArrayList<>(cells.size());
        cells.forEach((cell, totals) -> out.add(new RollupDelta(cell, totals)));
        return out;
    }
}
