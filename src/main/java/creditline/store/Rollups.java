package creditline.store;

import creditline.analytics.UsageTotals;
import creditline.usage.RollupDelta;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The usage rollups an ingest transaction writes: the org's days by model ({@code usage_org_models})
 * and by activity and agent ({@code usage_org_activities}), each member's days by model
 * ({@code usage_member_models}, the member table's breakdown and a member's summary) and by
 * activity and agent ({@code usage_member_activities}),
 * credits by day in blocks of 32 days, one starting every 16 days ({@code usage_member_blocks}, the
 * ranking by credits) and totals so far ({@code usage_member_totals}).
 * One row per distinct cell, in key order, added to the batch's {@link BulkWrites}.
 */
final class Rollups {
    /** The additive columns of the cell tables, in {@link #measures} order. */
    static final List<String> MEASURES = List.of("events", "charged_micros", "nominal_micros",
            "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens");

    /**
     * Days per row of usage_member_blocks (V8); block k covers the days from {@code BLOCK_STRIDE_DAYS * k}
     * on, so every day lies in two blocks (k and k - 1) and any range of up to 17 days in one.
     */
    static final int BLOCK_DAYS = 32;
    static final int BLOCK_STRIDE_DAYS = 16;

    /** Columns c00..c31 of usage_member_blocks: each member's credits from the block's first day through day NN. */
    static final List<String> BLOCK_COLUMNS = blockColumns();

    private Rollups() {}

    private static List<String> blockColumns() {
        List<String> out = new ArrayList<>(BLOCK_DAYS);
        for (int k = 0; k < BLOCK_DAYS; k++) out.add("c%02d".formatted(k));
        return List.copyOf(out);
    }

    static void add(BulkWrites w, String orgId, List<RollupDelta> deltas) {
        if (deltas.isEmpty()) return;
        // The org's cells: a Cell with only the day and the model, or the day, activity and agent.
        Map<RollupDelta.Cell, UsageTotals> models = new TreeMap<>();
        Map<RollupDelta.Cell, UsageTotals> activities = new TreeMap<>();
        // A member's cells: the member, the day and the model, or the member, the day, the activity
        // and the agent (in the key order of usage_member_models and usage_member_activities).
        Map<RollupDelta.Cell, UsageTotals> memberModels = new TreeMap<>();
        Map<RollupDelta.Cell, UsageTotals> memberActivities = new TreeMap<>();
        // Per member and day: events and credits (for the totals and the blocks).
        Map<MemberDay, long[]> days = new TreeMap<>();
        for (RollupDelta d : deltas) {
            RollupDelta.Cell c = d.cell();
            models.merge(new RollupDelta.Cell(c.epochDay(), "", c.modelId(), "", ""), d.totals(), UsageTotals::plus);
            activities.merge(new RollupDelta.Cell(c.epochDay(), "", "", c.activity(), c.agent()), d.totals(), UsageTotals::plus);
            memberModels.merge(new RollupDelta.Cell(c.epochDay(), c.memberId(), c.modelId(), "", ""), d.totals(), UsageTotals::plus);
            memberActivities.merge(new RollupDelta.Cell(c.epochDay(), c.memberId(), "", c.activity(), c.agent()), d.totals(), UsageTotals::plus);
            long[] r = days.computeIfAbsent(new MemberDay(c.memberId(), c.epochDay()), k -> new long[2]);
            r[0] = Math.addExact(r[0], d.totals().events());
            r[1] = Math.addExact(r[1], d.totals().chargedMicros());
        }
        models.forEach((c, t) -> w.add(BulkWrites.Statement.ORG_MODELS, measures(t, orgId, c.epochDay(), c.modelId())));
        activities.forEach((c, t) -> w.add(BulkWrites.Statement.ORG_ACTIVITIES, measures(t, orgId, c.epochDay(), c.activity(), c.agent())));
        memberModels.forEach((c, t) -> w.add(BulkWrites.Statement.MEMBER_MODELS, measures(t, orgId, c.memberId(), c.epochDay(), c.modelId())));
        memberActivities.forEach((c, t) ->
                w.add(BulkWrites.Statement.MEMBER_ACTIVITIES, measures(t, orgId, c.memberId(), c.epochDay(), c.activity(), c.agent())));
        // Per member: the first day, the last day, events, credits (members in key order); per
        // block and member, the credits through each day of the block (in the key order of usage_member_blocks).
        Map<String, long[]> totals = new TreeMap<>();
        Map<MemberDay, long[]> blocks = new TreeMap<>(Comparator.comparingLong(MemberDay::epochDay).thenComparing(MemberDay::memberId));
        for (var e : days.entrySet()) {
            long day = e.getKey().epochDay();
            long[] t = totals.computeIfAbsent(e.getKey().memberId(), k -> new long[] {day, day, 0, 0});
            t[0] = Math.min(t[0], day);
            t[1] = Math.max(t[1], day);
            t[2] = Math.addExact(t[2], e.getValue()[0]);
            t[3] = Math.addExact(t[3], e.getValue()[1]);
            // The day's two blocks: k - 1 (the day in its second half) and k (in its first half).
            long k0 = Math.floorDiv(day, BLOCK_STRIDE_DAYS);
            for (long block = k0 - 1; block <= k0; block++) {
                long[] through = blocks.computeIfAbsent(new MemberDay(e.getKey().memberId(), block), k -> new long[BLOCK_DAYS]);
                for (int k = (int) (day - BLOCK_STRIDE_DAYS * block); k < BLOCK_DAYS; k++) through[k] = Math.addExact(through[k], e.getValue()[1]);
            }
        }
        totals.forEach((member, t) -> w.add(BulkWrites.Statement.MEMBER_TOTALS, orgId, member, t[0], t[1], t[2], t[3]));
        blocks.forEach((block, through) -> {
            Object[] row = new Object[3 + BLOCK_DAYS];
            row[0] = orgId;
            row[1] = block.epochDay();
            row[2] = block.memberId();
            for (int k = 0; k < BLOCK_DAYS; k++) row[3 + k] = through[k];
            w.add(BulkWrites.Statement.MEMBER_BLOCKS, row);
        });
    }

    /** A member and a day (or a block of days), ordered by member, then day. */
    private record MemberDay(String memberId, long epochDay) implements Comparable<MemberDay> {
        @Override
        public int compareTo(MemberDay o) {
            int c = memberId.compareTo(o.memberId);
            return c != 0 ? c : Long.compare(epochDay, o.epochDay);
        }
    }

    /** The keys, then the {@link #MEASURES} of {@code t}. */
    private static Object[] measures(UsageTotals t, Object... keys) {
        Object[] row = Arrays.copyOf(keys, keys.length + MEASURES.size());
        int i = keys.length;
        row[i++] = t.events();
        row[i++] = t.chargedMicros();
        row[i++] = t.nominalMicros();
        row[i++] = t.inputTokens();
        row[i++] = t.outputTokens();
        row[i++] = t.cacheWriteTokens();
        row[i] = t.cacheReadTokens();
        return row;
    }
}
