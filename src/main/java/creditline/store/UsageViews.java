package creditline.store;

import creditline.analytics.DateRange;
import creditline.analytics.MemberQuery;
import creditline.analytics.MemberUsage;
import creditline.analytics.UsageSummary;
import creditline.analytics.UsageTotals;
import creditline.budget.BudgetSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The usage views, read from the rollups (never from the events). */
final class UsageViews {
    /** Members per IN (...) list when fetching their breakdowns and budgets. */
    static final int CHUNK_MEMBERS_MAX = 500;

    private static final String SUMS = "SUM(events), SUM(charged_micros), SUM(nominal_micros), SUM(input_tokens), SUM(output_tokens),"
            + " SUM(cache_write_tokens), SUM(cache_read_tokens)";

    private UsageViews() {}

    /**
     * The org's summary ({@code memberId} null, from the org's day tables) or one member's (from
     * the member's day tables, {@code usage_member_models} and {@code usage_member_activities});
     * two grouped reads of the range.
     */
    static UsageSummary summary(Connection c, String orgId, String memberId, DateRange range) throws SQLException {
        String member = memberId == null ? "" : " AND member_id = ?";
        String where = " WHERE org_id = ?" + member + " AND epoch_day >= ? AND epoch_day < ?";
        UsageSummary.Builder b = new UsageSummary.Builder(range);
        try (PreparedStatement ps = c.prepareStatement("SELECT epoch_day, model_id, " + SUMS + " FROM "
                + (memberId == null ? "usage_org_models" : "usage_member_models") + where + " GROUP BY epoch_day, model_id")) {
            bindRange(ps, orgId, memberId, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) b.addDayModel(rs.getLong(1), rs.getString(2), totals(rs, 3));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT activity, agent, " + SUMS + " FROM "
                + (memberId == null ? "usage_org_activities" : "usage_member_activities") + where + " GROUP BY activity, agent")) {
            bindRange(ps, orgId, memberId, range);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) b.addActivityAgent(rs.getString(1), rs.getString(2), totals(rs, 3));
            }
        }
        return b.build();
    }

    private static void bindRange(PreparedStatement ps, String orgId, String memberId, DateRange range) throws SQLException {
        int i = 1;
        ps.setString(i++, orgId);
        if (memberId != null) ps.setString(i++, memberId);
        ps.setLong(i++, range.fromEpochDay());
        ps.setLong(i, range.toEpochDay());
    }

    private static UsageTotals totals(ResultSet rs, int first) throws SQLException {
        return new UsageTotals(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2), rs.getLong(first + 3),
                rs.getLong(first + 4), rs.getLong(first + 5), rs.getLong(first + 6));
    }

    /** Notes that the member left the org (in the deleting transaction): its usage stays listed. */
    static void memberRemoved(Connection tx, String orgId, String memberId) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(
                "INSERT INTO usage_removed_members (org_id, member_id) VALUES (?, ?) ON CONFLICT (org_id, member_id) DO NOTHING")) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            ps.executeUpdate();
        }
    }

    /*
     * The table's rows: every current member, and every removed member (not since re-added) with
     * usage in the range, matching the search. No window count or CTE: the count is a statement
     * of its own, so the ranking only sorts (and SQLite keeps just offset + limit rows in its sorter).
     */
    private static final String IDS = """
            SELECT member_id, 1 AS current_member FROM members WHERE org_id = ? AND (? IS NULL OR LOWER(member_id) LIKE ? ESCAPE '!')
            UNION ALL
            SELECT r.member_id, 0 FROM usage_removed_members r
            WHERE r.org_id = ? AND (? IS NULL OR LOWER(r.member_id) LIKE ? ESCAPE '!')
              AND NOT EXISTS (SELECT 1 FROM members m WHERE m.org_id = r.org_id AND m.member_id = r.member_id)
              AND EXISTS (SELECT 1 FROM usage_member_models u WHERE u.org_id = r.org_id AND u.member_id = r.member_id
                AND u.epoch_day >= ? AND u.epoch_day < ?)""";

    private static final String COUNT = "SELECT COUNT(*) FROM (" + IDS + ") ids";

    /** By member id: no credits needed to order. */
    private static final String BY_MEMBER = "SELECT member_id, current_member FROM (" + IDS + ") ids ORDER BY member_id %s LIMIT ? OFFSET ?";

    /*
     * By credits, the ranking is made here from two reads, each of which the database returns
     * packed into one value (string_agg of "<id's byte length>,<number>,<id>" entries): a driver
     * read per statement instead of three calls a row, and no SQL sorter. First the credits in
     * [from, to) of each member with usage there; then the table's rows ({@link #IDS}) with their
     * current flag. The credits come from usage_member_totals when the range covers the org's
     * whole history (one row per member), else from the rows of usage_member_blocks of the blocks
     * of one partition of the days that the range touches (see V8): per row, the credits through
     * the range's last day in the block (or the block's total) minus those through the day before
     * the range's first (or 0). A member with rows in several of these blocks is added up here.
     * Memory: the org's member ids, twice.
     */
    private static final String IDS_PACKED = "SELECT string_agg(concat(octet_length(member_id), ',', current_member, ',', member_id), '') FROM ("
            + IDS + ") ids";

    /** The first and last day of the org's usage (the day index of usage_org_models' key answers each with one descent). */
    private static final String HISTORY = "SELECT (SELECT MIN(epoch_day) FROM usage_org_models WHERE org_id = ?),"
            + " (SELECT MAX(epoch_day) FROM usage_org_models WHERE org_id = ?)";

    private static final String TOTALS_PACKED = "SELECT string_agg(concat(octet_length(member_id), ',', charged_micros, ',', member_id), '')"
            + " FROM usage_member_totals WHERE org_id = ?";

    /**
     * The credits of each row of the blocks {@code first}, {@code first + 2}, ... {@code last} (%3$s: their
     * list): %1$s is the credits through the range's last day in the last block, %2$s through the
     * day before its first day in the first block.
     */
    private static final String BLOCKS_PACKED = "SELECT string_agg(concat(octet_length(member_id), ',',"
            + " (CASE WHEN block = ? THEN %1$s ELSE " + Rollups.BLOCK_COLUMNS.getLast() + " END) - (CASE WHEN block = ? THEN %2$s ELSE 0 END),"
            + " ',', member_id), '') FROM usage_member_blocks WHERE org_id = ? AND block IN (%3$s)";

    private record Ranked(String memberId, boolean current) {}

    /** Binds {@link #IDS}' parameters from the first; returns the next parameter's index. */
    private static int bindRows(PreparedStatement ps, String orgId, DateRange range, MemberQuery q) throws SQLException {
        String pattern = q.search() == null ? null : "%" + q.search().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
        int i = 1;
        for (int part = 0; part < 2; part++) {
            ps.setString(i++, orgId);
            ps.setString(i++, pattern);
            ps.setString(i++, pattern);
        }
        ps.setLong(i++, range.fromEpochDay());
        ps.setLong(i++, range.toEpochDay());
        return i;
    }

    /** The rows by member id from {@code offset}, at most {@code limit}. */
    private static List<Ranked> rankByMember(Connection c, String orgId, DateRange range, MemberQuery q, long limit, long offset) throws SQLException {
        List<Ranked> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(BY_MEMBER.formatted(q.descending() ? "DESC" : "ASC"))) {
            int i = bindRows(ps, orgId, range, q);
            ps.setLong(i++, limit);
            ps.setLong(i, offset);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Ranked(rs.getString(1), rs.getInt(2) == 1));
            }
        }
        return out;
    }

    /** A row of the ranking by credits: ties in member id order (its UTF-8 bytes, as SQLite's BINARY collation orders). */
    private record ByCredits(Ranked row, byte[] idBytes, long chargedMicros) {}

    /** Every row of the table by credits in the range (ties by member id ascending). */
    private static List<Ranked> rankByCredits(Connection c, String orgId, DateRange range, MemberQuery q) throws SQLException {
        Map<String, Long> credits = credits(c, orgId, range);
        EventExport.Packed p = new EventExport.Packed();
        List<ByCredits> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(IDS_PACKED)) {
            bindRows(ps, orgId, range, q);
            p.reset(packed(ps));
            while (!p.atEnd()) {
                int length = Math.toIntExact(p.number());
                boolean current = p.number() == 1;
                byte[] id = p.bytes(length);
                String memberId = new String(id, StandardCharsets.UTF_8);
                rows.add(new ByCredits(new Ranked(memberId, current), id, credits.getOrDefault(memberId, 0L)));
            }
        }
        // One comparator of its own (not composed from Comparator's shared lambdas, whose calls
        // are megamorphic in a running server): the sort was most of the ranking's time in a profile.
        boolean descending = q.descending();
        rows.sort((a, b) -> {
            int byCredits = Long.compare(a.chargedMicros(), b.chargedMicros());
            if (byCredits != 0) return descending ? -byCredits : byCredits;
            return Arrays.compareUnsigned(a.idBytes(), b.idBytes());
        });
        List<Ranked> out = new ArrayList<>(rows.size());
        for (ByCredits r : rows) out.add(r.row());
        return out;
    }

    /** The credits of each member with usage in the range (others: none). */
    private static Map<String, Long> credits(Connection c, String orgId, DateRange range) throws SQLException {
        long from = range.fromEpochDay();
        long to = range.toEpochDay();
        long firstDay;
        long lastDay;
        try (PreparedStatement ps = c.prepareStatement(HISTORY)) {
            ps.setString(1, orgId);
            ps.setString(2, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                firstDay = rs.getLong(1);
                if (rs.wasNull()) return Map.of();
                lastDay = rs.getLong(2);
            }
        }
        if (to <= firstDay || from > lastDay) return Map.of();
        byte[] packed;
        if (from <= firstDay && to > lastDay) {
            try (PreparedStatement ps = c.prepareStatement(TOTALS_PACKED)) {
                ps.setString(1, orgId);
                packed = packed(ps);
            }
        } else {
            // Every other block partitions the days (block k covers 32 days from day 16k): of the two
            // such partitions, the one whose blocks the range touches fewest of (one for up to 17 days).
            long firstBlock = 0;
            long lastBlock = 0;
            for (int parity = 0; parity < 2; parity++) {
                long first = block(from, parity);
                long last = block(to - 1, parity);
                if (parity == 0 || last - first < lastBlock - firstBlock) {
                    firstBlock = first;
                    lastBlock = last;
                }
            }
            int fromIndex = (int) (from - Rollups.BLOCK_STRIDE_DAYS * firstBlock);
            String through = Rollups.BLOCK_COLUMNS.get((int) (to - 1 - Rollups.BLOCK_STRIDE_DAYS * lastBlock));
            String before = fromIndex == 0 ? "0" : Rollups.BLOCK_COLUMNS.get(fromIndex - 1);
            int blocks = (int) ((lastBlock - firstBlock) / 2 + 1);
            try (PreparedStatement ps = c.prepareStatement(BLOCKS_PACKED.formatted(through, before, Query.parameters(blocks)))) {
                ps.setLong(1, lastBlock);
                ps.setLong(2, firstBlock);
                ps.setString(3, orgId);
                for (int k = 0; k < blocks; k++) ps.setLong(4 + k, firstBlock + 2L * k);
                packed = packed(ps);
            }
        }
        // Sized for entries of 8 bytes or more ("2,0,id"): little or no rehashing while filling.
        Map<String, Long> out = HashMap.newHashMap(packed == null ? 0 : packed.length / 8);
        EventExport.Packed p = new EventExport.Packed();
        p.reset(packed);
        while (!p.atEnd()) {
            int length = Math.toIntExact(p.number());
            long charged = p.number();
            out.merge(new String(p.bytes(length), StandardCharsets.UTF_8), charged, Math::addExact);
        }
        return out;
    }

    /** The block of the given parity (0 or 1) that holds the day: k or k - 1 for the day's k = floor(day / 16). */
    private static long block(long epochDay, int parity) {
        long k = Math.floorDiv(epochDay, Rollups.BLOCK_STRIDE_DAYS);
        return Math.floorMod(k, 2) == parity ? k : k - 1;
    }

    /** The one value a packing statement returns (null when it aggregated no row). */
    private static byte[] packed(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getBytes(1) : null;
        }
    }

    private static long count(Connection c, String orgId, DateRange range, MemberQuery q) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(COUNT)) {
            bindRows(ps, orgId, range, q);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** One page of the member table. */
    static MemberUsage.Page page(Connection c, String orgId, DateRange range, MemberQuery q, LocalDate periodStart) throws SQLException {
        List<Ranked> ranked;
        long total;
        if (q.sort() == MemberQuery.Sort.CREDITS) {
            List<Ranked> all = rankByCredits(c, orgId, range, q);
            total = all.size();
            ranked = all.subList((int) Math.min(total, q.offset()), (int) Math.min(total, q.offset() + q.pageSize()));
        } else {
            ranked = rankByMember(c, orgId, range, q, q.pageSize(), q.offset());
            total = count(c, orgId, range, q);
        }
        return new MemberUsage.Page(details(c, orgId, range, ranked, Enforcement.budgets(c, orgId), periodStart), total, q);
    }

    /** Every row of the member table in the query's order, in chunks (memory: the ranking and one chunk). */
    static void all(Connection c, String orgId, DateRange range, MemberQuery q, LocalDate periodStart, Store.MemberSink sink)
            throws SQLException {
        sink.start(summary(c, orgId, null, range).byModel().stream().map(UsageSummary.Share::key).toList());
        List<Ranked> ranked = q.sort() == MemberQuery.Sort.CREDITS ? rankByCredits(c, orgId, range, q) : rankByMember(c, orgId, range, q, Long.MAX_VALUE, 0);
        BudgetSettings budgets = Enforcement.budgets(c, orgId);
        for (int from = 0; from < ranked.size(); from += CHUNK_MEMBERS_MAX) {
            details(c, orgId, range, ranked.subList(from, Math.min(ranked.size(), from + CHUNK_MEMBERS_MAX)), budgets, periodStart).forEach(sink::row);
        }
    }

    /** The ranked members with their model breakdown and budget, in ranking order. */
    private static List<MemberUsage> details(Connection c, String orgId, DateRange range, List<Ranked> ranked, BudgetSettings budgets,
                                             LocalDate periodStart) throws SQLException {
        if (ranked.isEmpty()) return List.of();
        List<String> ids = ranked.stream().map(Ranked::memberId).toList();
        String in = Query.parameters(ids.size());
        // Events and credits only: usage_member_models holds a row per member, day and model.
        Map<String, Map<String, UsageTotals>> byModel = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT member_id, model_id, SUM(events), SUM(charged_micros) FROM usage_member_models"
                + " WHERE org_id = ? AND member_id IN (" + in + ") AND epoch_day >= ? AND epoch_day < ? GROUP BY member_id, model_id")) {
            int i = bindIds(ps, orgId, ids);
            ps.setLong(i++, range.fromEpochDay());
            ps.setLong(i, range.toEpochDay());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byModel.computeIfAbsent(rs.getString(1), k -> new HashMap<>())
                            .put(rs.getString(2), new UsageTotals(rs.getLong(3), rs.getLong(4), 0, 0, 0, 0, 0));
                }
            }
        }
        Map<String, Long> overrides = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT member_id, credits_micros FROM member_budgets WHERE org_id = ? AND member_id IN (" + in + ")")) {
            bindIds(ps, orgId, ids);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) overrides.put(rs.getString(1), Times.longOrNull(rs, 2));
            }
        }
        Map<String, Long> consumed = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT member_id, consumed_micros FROM member_periods WHERE org_id = ? AND period_start = ?"
                + " AND member_id IN (" + in + ")")) {
            ps.setString(1, orgId);
            ps.setString(2, periodStart.toString());
            for (int k = 0; k < ids.size(); k++) ps.setString(k + 3, ids.get(k));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) consumed.put(rs.getString(1), rs.getLong(2));
            }
        }
        List<MemberUsage> out = new ArrayList<>(ranked.size());
        for (Ranked r : ranked) {
            List<UsageSummary.Share> models = UsageSummary.shares(byModel.getOrDefault(r.memberId(), Map.of()));
            long events = 0;
            long charged = 0;
            for (UsageSummary.Share m : models) {
                events += m.totals().events();
                charged = Math.addExact(charged, m.totals().chargedMicros());
            }
            BudgetSettings.Budget b = budgets.forMember(overrides.containsKey(r.memberId()), overrides.get(r.memberId()));
            out.add(new MemberUsage(r.memberId(), r.current(), charged, events, models,
                    new MemberUsage.Budget(b.creditsMicros(), b.enforce(), consumed.getOrDefault(r.memberId(), 0L), periodStart)));
        }
        return out;
    }

    private static int bindIds(PreparedStatement ps, String orgId, List<String> ids) throws SQLException {
        ps.setString(1, orgId);
        for (int k = 0; k < ids.size(); k++) ps.setString(k + 2, ids.get(k));
        return ids.size() + 2;
    }

    /** A member's budget card: the effective monthly budget and what they consumed since {@code periodStart}. */
    static MemberUsage.Budget budget(Connection c, String orgId, String memberId, LocalDate periodStart) throws SQLException {
        Enforcement.Override o = Enforcement.override(c, orgId, memberId);
        BudgetSettings.Budget b = Enforcement.budgets(c, orgId).forMember(o != null, o == null ? null : o.creditsMicros());
        return new MemberUsage.Budget(b.creditsMicros(), b.enforce(), Enforcement.memberConsumed(c, orgId, periodStart, memberId), periodStart);
    }
}
