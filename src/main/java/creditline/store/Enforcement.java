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
import java.util.Map;

/** SQL for budgets, restrictions, member totals and reservations, and the authorization snapshot. */
final class Enforcement {
    static final String ORG_SCOPE = "";

    private Enforcement() {}

    static BudgetSettings budgets(Connection c, String orgId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT org_credits_micros, org_enforce, org_notify, org_alert_percent,"
                + " member_credits_micros, member_enforce, member_notify, member_alert_percent FROM budgets WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) return BudgetSettings.NONE;
                return new BudgetSettings(
                        new BudgetSettings.Budget(Times.longOrNull(rs, "org_credits_micros"), rs.getBoolean(2), rs.getBoolean(3), rs.getInt(4)),
                        new BudgetSettings.Budget(Times.longOrNull(rs, "member_credits_micros"), rs.getBoolean(6), rs.getBoolean(7), rs.getInt(8)));
            }
        }
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
                return rs.next() ? new Override(Times.longOrNull(rs, "credits_micros")) : null;
            }
        }
    }

    static Map<String, Override> overrides(Connection c, String orgId) throws SQLException {
        Map<String, Override> out = new java.util.TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT member_id, credits_micros FROM member_budgets WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.put(rs.getString(1), new Override(Times.longOrNull(rs, "credits_micros")));
            }
        }
        return out;
    }

    static void putOverride(Connection c, String orgId, String memberId, Long creditsMicros, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO member_budgets (org_id, member_id, credits_micros, updated_at_micros) VALUES (?,?,?,?)
                ON CONFLICT (org_id, member_id) DO UPDATE SET credits_micros = excluded.credits_micros, updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            Times.setLong(ps, 3, creditsMicros);
            ps.setLong(4, Times.micros(now));
            ps.executeUpdate();
        }
    }

    static boolean deleteOverride(Connection c, String orgId, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM member_budgets WHERE org_id = ? AND member_id = ?")) {
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

    static void addMemberConsumption(Connection c, String orgId, LocalDate period, String memberId, long events, long consumedMicros)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO member_periods (org_id, period_start, member_id, events, consumed_micros) VALUES (?,?,?,?,?)
                ON CONFLICT (org_id, period_start, member_id) DO UPDATE SET events = member_periods.events + excluded.events,
                  consumed_micros = member_periods.consumed_micros + excluded.consumed_micros""")) {
            ps.setString(1, orgId);
            ps.setString(2, period.toString());
            ps.setString(3, memberId);
            ps.setLong(4, events);
            ps.setLong(5, consumedMicros);
            ps.executeUpdate();
        }
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

    /** The snapshot a decision needs, for the org's current month at {@code now}. */
    static AuthState authState(Connection c, Catalog catalog, String orgId, String status, String planId, String memberId, Instant now)
            throws SQLException {
        Plan plan = catalog.plan(c, planId);
        LocalDate period = Periods.periodStart(now);
        BudgetSettings budgets = budgets(c, orgId);
        Override override = override(c, orgId, memberId);
        OrgPeriod org = orgPeriod(c, orgId, period);
        long[] reserved = reserved(c, orgId, memberId, now);
        return new AuthState(status, plan.overage(), plan.tokensIncluded(), org.tokens(), Ledger.balanceMicros(c, orgId, plan, now),
                reserved[0], budgets.org(), org.consumedMicros(),
                budgets.forMember(override != null, override == null ? null : override.creditsMicros()),
                memberConsumed(c, orgId, period, memberId), reserved[1],
                restrictions(c, orgId, ORG_SCOPE), restrictions(c, orgId, memberId));
    }
}
