package creditline.store;

import creditline.analytics.UsageTotals;
import creditline.usage.RollupDelta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes usage rollups in the ingest transaction: the org's days by model ({@code usage_org_models})
 * and by activity and agent ({@code usage_org_activities}), each member's days by model
 * ({@code usage_member_models}, the member table's breakdown and a member's summary) and by
 * activity and agent ({@code usage_member_activities}),
 * credits by day in blocks of 32 days, one starting every 16 days ({@code usage_member_blocks}, the
 * ranking by credits) and totals so far ({@code usage_member_totals}).
 * One statement per distinct cell, batched, in key order.
 */
final class Rollups {
    /** The additive columns of the cell tables, in {@link #bindTotals} order. */
    private static final List<String> MEASURES = List.of("events", "charged_micros", "nominal_micros",
            "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens");

    /** A key column of a cell table, after org_id: a field of {@link RollupDelta.Cell}. */
    private enum Key {
        MEMBER("member_id"), DAY("epoch_day"), MODEL("model_id"), ACTIVITY("activity"), AGENT("agent");

        final String column;

        Key(String column) {
            this.column = column;
        }

        void bind(PreparedStatement ps, int i, RollupDelta.Cell c) throws SQLException {
            switch (this) {
                case MEMBER -> ps.setString(i, c.memberId());
                case DAY -> ps.setLong(i, c.epochDay());
                case MODEL -> ps.setString(i, c.modelId());
                case ACTIVITY -> ps.setString(i, c.activity());
                case AGENT -> ps.setString(i, c.agent());
            }
        }
    }

    /** A table of cells with the {@link #MEASURES}: its upsert, and its key columns after org_id. */
    private record CellTable(String sql, List<Key> keys) {
        static CellTable of(String table, Key... keys) {
            return new CellTable(Rollups.upsert(table, Arrays.stream(keys).map(k -> k.column).toList(), MEASURES), List.of(keys));
        }
    }

    private static final CellTable ORG_MODELS = CellTable.of("usage_org_models", Key.DAY, Key.MODEL);
    private static final CellTable ORG_ACTIVITIES = CellTable.of("usage_org_activities", Key.DAY, Key.ACTIVITY, Key.AGENT);
    private static final CellTable MEMBER_MODELS = CellTable.of("usage_member_models", Key.MEMBER, Key.DAY, Key.MODEL);
    private static final CellTable MEMBER_ACTIVITIES = CellTable.of("usage_member_activities", Key.MEMBER, Key.DAY, Key.ACTIVITY, Key.AGENT);

    /**
     * Days per row of usage_member_blocks (V8); block k covers the days from {@code BLOCK_STRIDE_DAYS * k}
     * on, so every day lies in two blocks (k and k - 1) and any range of up to 17 days in one.
     */
    static final int BLOCK_DAYS = 32;
    static final int BLOCK_STRIDE_DAYS = 16;

    /** Columns c00..c31 of usage_member_blocks: each member's credits from the block's first day through day NN. */
    static final List<String> BLOCK_COLUMNS = blockColumns();

    /** A member's block grows by the batch's credits: each day's from that day to the block's end (see V8). */
    private static final String UPSERT_BLOCK = upsert("usage_member_blocks", List.of("block", "member_id"), BLOCK_COLUMNS);

    /** A member's totals grow by the batch's; their first and last day widen to the batch's days. */
    private static final String UPSERT_TOTALS = """
            INSERT INTO usage_member_totals (org_id, member_id, first_day, last_day, events, charged_micros) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (org_id, member_id) DO UPDATE SET
              first_day = CASE WHEN excluded.first_day < usage_member_totals.first_day THEN excluded.first_day ELSE usage_member_totals.first_day END,
              last_day = CASE WHEN excluded.last_day > usage_member_totals.last_day THEN excluded.last_day ELSE usage_member_totals.last_day END,
              events = usage_member_totals.events + excluded.events,
              charged_micros = usage_member_totals.charged_micros + excluded.charged_micros""";

    private Rollups() {}

    private static List<String> blockColumns() {
        List<String> out = new ArrayList<>(BLOCK_DAYS);
        for (int k = 0; k < BLOCK_DAYS; k++) out.add("c%02d".formatted(k));
        return List.copyOf(out);
    }

    private static String upsert(String table, List<String> keys, List<String> measures) {
        StringBuilder set = new StringBuilder();
        for (String m : measures) set.append(set.isEmpty() ? "" : ", ").append(m).append(" = ").append(table).append('.').append(m).append(" + excluded.").append(m);
        return "INSERT INTO " + table + " (org_id, " + String.join(", ", keys) + ", " + String.join(", ", measures) + ") VALUES ("
                + "?, ".repeat(keys.size() + measures.size()) + "?) ON CONFLICT (org_id, " + String.join(", ", keys) + ") DO UPDATE SET " + set;
    }

    static void add(Connection tx, String orgId, List<RollupDelta> deltas) throws SQLException {
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
        upsertCells(tx, ORG_MODELS, orgId, models);
        upsertCells(tx, ORG_ACTIVITIES, orgId, activities);
        upsertCells(tx, MEMBER_MODELS, orgId, memberModels);
        upsertCells(tx, MEMBER_ACTIVITIES, orgId, memberActivities);
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
        try (PreparedStatement ps = tx.prepareStatement(UPSERT_TOTALS)) {
            for (var e : totals.entrySet()) {
                ps.setString(1, orgId);
                ps.setString(2, e.getKey());
                for (int k = 0; k < 4; k++) ps.setLong(k + 3, e.getValue()[k]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = tx.prepareStatement(UPSERT_BLOCK)) {
            for (var e : blocks.entrySet()) {
                ps.setString(1, orgId);
                ps.setLong(2, e.getKey().epochDay());
                ps.setString(3, e.getKey().memberId());
                for (int k = 0; k < BLOCK_DAYS; k++) ps.setLong(k + 4, e.getValue()[k]);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** A member and a day (or a block of days), ordered by member, then day. */
    private record MemberDay(String memberId, long epochDay) implements Comparable<MemberDay> {
        @Override
        public int compareTo(MemberDay o) {
            int c = memberId.compareTo(o.memberId);
            return c != 0 ? c : Long.compare(epochDay, o.epochDay);
        }
    }

    /** One upsert per cell (in the map's order), batched. */
    private static void upsertCells(Connection tx, CellTable table, String orgId, Map<RollupDelta.Cell, UsageTotals> cells) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(table.sql())) {
            for (var e : cells.entrySet()) {
                ps.setString(1, orgId);
                int i = 2;
                for (Key k : table.keys()) k.bind(ps, i++, e.getKey());
                bindTotals(ps, i, e.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void bindTotals(PreparedStatement ps, int first, UsageTotals t) throws SQLException {
        int i = first;
        ps.setLong(i++, t.events());
        ps.setLong(i++, t.chargedMicros());
        ps.setLong(i++, t.nominalMicros());
        ps.setLong(i++, t.inputTokens());
        ps.setLong(i++, t.outputTokens());
        ps.setLong(i++, t.cacheWriteTokens());
        ps.setLong(i, t.cacheReadTokens());
    }
}
