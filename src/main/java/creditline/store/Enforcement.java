package creditline.store;

import creditline.budget.AuthState;
import creditline.budget.BudgetSettings;
import creditline.budget.Restrictions;
import creditline.plan.Periods;
import creditline.plan.Plan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** SQL for budgets, restrictions, member totals and reservations, and the authorization snapshot. */
final class Enforcement {
    static final String ORG_SCOPE = "";

    private Enforcement() {}

    static BudgetSettings budgets(Connection c, String orgId) throws SQLException {
        return budgetsQuery(orgId).run(c);
    }

    static Query<BudgetSettings> budgetsQuery(String orgId) {
        return new Query<>("SELECT org_credits_micros, org_enforce, org_notify, org_alert_percent,"
                + " member_credits_micros, member_enforce, member_notify, member_alert_percent FROM budgets WHERE org_id = ?",
                (ps, first) -> {
                    ps.setString(first, orgId);
                    return first + 1;
                },
                rs -> {
                    if (!rs.next()) return BudgetSettings.NONE;
                    return new BudgetSettings(
                            new BudgetSettings.Budget(Times.longOrNull(rs, 1), rs.getBoolean(2), rs.getBoolean(3), rs.getInt(4)),
                            new BudgetSettings.Budget(Times.longOrNull(rs, 5), rs.getBoolean(6), rs.getBoolean(7), rs.getInt(8)));
                });
    }

    static void putBudgets(Connection c, String orgId, BudgetSettings b, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO budgets (org_id, org_credits_micros, org_enforce, org_notify, org_alert_percent,
                  member_credits_micros, member_enforce, member_notify, member_alert_percent, updated_at_micros)
                VALUES (?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (org_id) DO UPDATE SET org_credits_micros = excluded.org_credits_micros,
                  org_enforce = excluded.org_enforce, org_notify = excluded.org_notify, org_alert_percent = excluded.org_alert_percent,
                  member_credits_micros = excluded.member_credits_micros, member_enforce = excluded.member_enforce,
                  member_notify = excluded.member_notify, member_alert_percent = excluded.member_alert_percent,
                  updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, orgId);
            Times.setLong(ps, 2, b.org().creditsMicros());
            ps.setBoolean(3, b.org().enforce());
            ps.setBoolean(4, b.org().notifies());
            ps.setInt(5, b.org().alertPercent());
            Times.setLong(ps, 6, b.defaultMember().creditsMicros());
            ps.setBoolean(7, b.defaultMember().enforce());
            ps.setBoolean(8, b.defaultMember().notifies());
            ps.setInt(9, b.defaultMember().alertPercent());
            ps.setLong(10, Times.micros(now));
            ps.executeUpdate();
        }
    }

    /** The member's override: absent (null), or present with an amount that may itself be null (unlimited). */
    record Override(Long creditsMicros) {}

    static Override override(Connection c, String orgId, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT credits_micros FROM member_budgets WHERE org_id = ? AND member_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Override(Times.longOrNull(rs, 1)) : null;
            }
        }
    }

    static Map<String, Override> overrides(Connection c, String orgId) throws SQLException {
        Map<String, Override> out = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT member_id, credits_micros FROM member_budgets WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), new Override(Times.longOrNull(rs, 2)));
            }
        }
        return out;
    }

    static final String PUT_OVERRIDE = """
            INSERT INTO member_budgets (org_id, member_id, credits_micros, updated_at_micros) VALUES (?,?,?,?)
            ON CONFLICT (org_id, member_id) DO UPDATE SET credits_micros = excluded.credits_micros, updated_at_micros = excluded.updated_at_micros""";
    static final String DELETE_OVERRIDE = "DELETE FROM member_budgets WHERE org_id = ? AND member_id = ?";

    static void putOverride(Connection c, String orgId, String memberId, Long creditsMicros, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(PUT_OVERRIDE)) {
            bindPutOverride(ps, orgId, memberId, creditsMicros, now);
            ps.executeUpdate();
        }
    }

    static void bindPutOverride(PreparedStatement ps, String orgId, String memberId, Long creditsMicros, Instant now) throws SQLException {
        ps.setString(1, orgId);
        ps.setString(2, memberId);
        Times.setLong(ps, 3, creditsMicros);
        ps.setLong(4, Times.micros(now));
    }

    static boolean deleteOverride(Connection c, String orgId, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_OVERRIDE)) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            return ps.executeUpdate() > 0;
        }
    }

    static Restrictions restrictions(Connection c, String orgId, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT models, activities FROM restrictions WHERE org_id = ? AND member_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Restrictions(list(rs.getString(1)), list(rs.getString(2))) : Restrictions.NONE;
            }
        }
    }

    static void putRestrictions(Connection c, String orgId, String memberId, Restrictions r, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO restrictions (org_id, member_id, models, activities, updated_at_micros) VALUES (?,?,?,?,?)
                ON CONFLICT (org_id, member_id) DO UPDATE SET models = excluded.models, activities = excluded.activities,
                  updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            ps.setString(3, r.models() == null ? null : String.join("\n", new java.util.TreeSet<>(r.models())));
            ps.setString(4, r.activities() == null ? null : String.join("\n", new java.util.TreeSet<>(r.activities())));
            ps.setLong(5, Times.micros(now));
            ps.executeUpdate();
        }
    }

    private static java.util.Set<String> list(String joined) {
        if (joined == null) return null;
        return joined.isEmpty() ? java.util.Set.of() : new LinkedHashSet<>(Arrays.asList(joined.split("\n")));
    }

    /** The overrides of those of the members that have one. */
    static Map<String, Override> overrides(Connection c, String orgId, java.util.Collection<String> memberIds) throws SQLException {
        return byMember(c, "SELECT member_id, credits_micros FROM member_budgets WHERE org_id = ?", List.of(orgId), memberIds,
                rs -> new Override(Times.longOrNull(rs, 2)));
    }

    /** The period's consumption of those of the members that have any. */
    static Map<String, Long> membersConsumed(Connection c, String orgId, LocalDate period, java.util.Collection<String> memberIds) throws SQLException {
        return byMember(c, "SELECT member_id, consumed_micros FROM member_periods WHERE org_id = ? AND period_start = ?",
                List.of(orgId, period.toString()), memberIds, rs -> rs.getLong(2));
    }

    /**
     * By member id (the first column): what {@code select} (its parameters {@code params}, then
     * the members) gives for the members, one query per {@value Query#IN_LIST_MAX} of them.
     */
    private static <T> Map<String, T> byMember(Connection c, String select, List<String> params, java.util.Collection<String> memberIds,
                                               Query.Reader<T> value) throws SQLException {
        Map<String, T> out = new java.util.HashMap<>();
        for (List<String> chunk : Query.chunks(memberIds)) {
            try (PreparedStatement ps = c.prepareStatement(select + " AND member_id IN (" + Query.parameters(chunk.size()) + ")")) {
                int i = 1;
                for (String p : params) ps.setString(i++, p);
                for (String id : chunk) ps.setString(i++, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.put(rs.getString(1), value.read(rs));
                }
            }
        }
        return out;
    }

    static long memberConsumed(Connection c, String orgId, LocalDate period, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT consumed_micros FROM member_periods WHERE org_id = ? AND period_start = ? AND member_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, period.toString());
            ps.setString(3, memberId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** Consumed micro-credits and tokens of the org in the period. */
    record OrgPeriod(long consumedMicros, long tokens) {}

    static OrgPeriod orgPeriod(Connection c, String orgId, LocalDate period) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT consumed_micros, input_tokens + output_tokens + cache_write_tokens + cache_read_tokens"
                + " FROM usage_periods WHERE org_id = ? AND period_start = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, period.toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new OrgPeriod(rs.getLong(1), rs.getLong(2)) : new OrgPeriod(0, 0);
            }
        }
    }

    /** Open holds at {@code now}: [org total, the member's]. Expired holds count for nothing, no sweep needed. */
    static long[] reserved(Connection c, String orgId, String memberId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(amount_micros), 0),"
                + " COALESCE(SUM(CASE WHEN member_id = ? THEN amount_micros ELSE 0 END), 0)"
                + " FROM reservations WHERE org_id = ? AND status = 'PENDING' AND expires_at_micros > ?")) {
            ps.setString(1, memberId == null ? "" : memberId);
            ps.setString(2, orgId);
            ps.setLong(3, Times.micros(now));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /**
     * The decision snapshot, or why there is none.
     *
     * @param version the org's {@code state_version} the snapshot was read at (see {@link DecisionCache})
     * @param validUntilMicros the first moment the snapshot may change without a write: the next
     *     month, the next expiry of an open hold, the next start or expiry of a credit bucket
     */
    record Snapshot(AuthState state, boolean orgExists, boolean memberExists, long openHolds, long version, long validUntilMicros) {
        static Snapshot missing(boolean orgExists) {
            return new Snapshot(null, orgExists, false, 0, 0, 0);
        }
    }

    private static final String SNAPSHOT_SQL = """
            SELECT o.status, p.overage, p.tokens_included, p.credits_included_micros, p.rollover,
              b.org_credits_micros, b.org_enforce, b.org_notify, b.org_alert_percent,
              b.member_credits_micros, b.member_enforce, b.member_notify, b.member_alert_percent,
              m.member_id AS member_exists, mb.member_id AS has_override, mb.credits_micros AS override_micros,
              up.consumed_micros AS org_consumed,
              up.input_tokens + up.output_tokens + up.cache_write_tokens + up.cache_read_tokens AS org_tokens,
              mp.consumed_micros AS member_consumed,
              h.org_reserved, h.org_open_holds, h.member_reserved,
              (SELECT COALESCE(SUM(CASE WHEN cb.credits_micros > cb.consumed_micros THEN cb.credits_micros - cb.consumed_micros ELSE 0 END), 0)
                 FROM credit_buckets cb WHERE cb.org_id = o.org_id
                 AND (cb.valid_from_micros IS NULL OR cb.valid_from_micros <= ?) AND (cb.expires_at_micros IS NULL OR cb.expires_at_micros > ?)) AS buckets_available,
              (SELECT cb.bucket_id FROM credit_buckets cb WHERE cb.org_id = o.org_id AND cb.bucket_id = ?) AS plan_bucket_stored,
              ro.models AS org_models, ro.activities AS org_activities, rm.models AS member_models, rm.activities AS member_activities,
              o.plan_id, o.state_version, h.next_hold_expiry,
              (SELECT MIN(CASE WHEN cb.valid_from_micros > ? THEN cb.valid_from_micros ELSE cb.expires_at_micros END)
                 FROM credit_buckets cb WHERE cb.org_id = o.org_id
                 AND (cb.valid_from_micros > ? OR cb.expires_at_micros > ?)) AS next_bucket_change
            FROM orgs o
            -- The org's open holds at now, read once: their sum, count, the member's part, the next expiry.
            CROSS JOIN (SELECT COALESCE(SUM(r.amount_micros), 0) AS org_reserved, COUNT(*) AS org_open_holds,
                  COALESCE(SUM(CASE WHEN r.member_id = ? THEN r.amount_micros ELSE 0 END), 0) AS member_reserved,
                  MIN(r.expires_at_micros) AS next_hold_expiry
                FROM reservations r WHERE r.org_id = ? AND r.status = 'PENDING' AND r.expires_at_micros > ?) h
            JOIN plans p ON p.plan_id = o.plan_id
            LEFT JOIN budgets b ON b.org_id = o.org_id
            LEFT JOIN members m ON m.org_id = o.org_id AND m.member_id = ?
            LEFT JOIN member_budgets mb ON mb.org_id = o.org_id AND mb.member_id = ?
            LEFT JOIN usage_periods up ON up.org_id = o.org_id AND up.period_start = ?
            LEFT JOIN member_periods mp ON mp.org_id = o.org_id AND mp.period_start = ? AND mp.member_id = ?
            LEFT JOIN restrictions ro ON ro.org_id = o.org_id AND ro.member_id = ''
            LEFT JOIN restrictions rm ON rm.org_id = o.org_id AND rm.member_id = ?
            WHERE o.org_id = ?""";

    /**
     * Everything a decision needs for the org's current month at {@code now}, in one query (the
     * authorize hot path): budgets, consumption, open holds, balance, restrictions.
     */
    static Snapshot snapshot(Connection c, Catalog catalog, String orgId, String memberId, Instant now) throws SQLException {
        LocalDate period = Periods.periodStart(now);
        long nowMicros = Times.micros(now);
        try (PreparedStatement ps = c.prepareStatement(SNAPSHOT_SQL)) {
            int i = 1;
            ps.setLong(i++, nowMicros);
            ps.setLong(i++, nowMicros);
            ps.setString(i++, creditline.ledger.PlanAllotment.bucketId(period));
            for (int k = 0; k < 3; k++) ps.setLong(i++, nowMicros);
            ps.setString(i++, memberId);
            ps.setString(i++, orgId);
            ps.setLong(i++, nowMicros);
            ps.setString(i++, memberId);
            ps.setString(i++, memberId);
            ps.setString(i++, period.toString());
            ps.setString(i++, period.toString());
            ps.setString(i++, memberId);
            ps.setString(i++, memberId);
            ps.setString(i, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return Snapshot.missing(false);
                if (rs.getString(14) == null) return Snapshot.missing(true);
                Plan.Overage overage = Plan.Overage.valueOf(rs.getString(2));
                long balance = rs.getLong(23);
                if (rs.getString(24) == null) {
                    // This month's allotment is not stored until first used: count it as it will be.
                    Plan plan = catalog.plan(c, rs.getString(29));
                    balance = Math.addExact(balance, Ledger.planBucket(c, orgId, plan, period, now).remainingMicros());
                }
                BudgetSettings budgets = BudgetSettings.NONE;
                if (rs.getObject(7) != null) {
                    budgets = new BudgetSettings(
                            new BudgetSettings.Budget(Times.longOrNull(rs, 6), rs.getBoolean(7),
                                    rs.getBoolean(8), rs.getInt(9)),
                            new BudgetSettings.Budget(Times.longOrNull(rs, 10), rs.getBoolean(11),
                                    rs.getBoolean(12), rs.getInt(13)));
                }
                boolean hasOverride = rs.getString(15) != null;
                AuthState state = new AuthState(rs.getString(1), overage, Times.longOrNull(rs, 3),
                        rs.getLong(18), balance, rs.getLong(20), budgets.org(), rs.getLong(17),
                        budgets.forMember(hasOverride, hasOverride ? Times.longOrNull(rs, 16) : null),
                        rs.getLong(19), rs.getLong(22),
                        restrictionsOf(rs.getString(25), rs.getString(26)),
                        restrictionsOf(rs.getString(27), rs.getString(28)));
                long validUntil = Times.micros(Periods.endInstant(period));
                for (int col = 31; col <= 32; col++) {
                    Long change = Times.longOrNull(rs, col);
                    if (change != null) validUntil = Math.min(validUntil, change);
                }
                return new Snapshot(state, true, true, rs.getLong(21), rs.getLong(30), validUntil);
            }
        }
    }

    /** Restrictions as stored: both columns null (or no row) for none. */
    static Restrictions restrictionsOf(String models, String activities) {
        return models == null && activities == null ? Restrictions.NONE : new Restrictions(list(models), list(activities));
    }
}
