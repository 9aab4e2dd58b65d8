package creditline.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import creditline.alert.Alert;
import creditline.alert.AlertRules;
import creditline.budget.BudgetSettings;
import creditline.ledger.CreditBucket;
import creditline.ledger.Drawdown;
import creditline.ledger.PlanAllotment;
import creditline.plan.Periods;
import creditline.pricing.Credits;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** SQL for notifications, webhooks and the delivery outbox. */
public final class Alerts {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Alerts() {}

    /** A stored notification; {@code delivered} is true once every webhook it went to took it. */
    public record Notification(String id, String kind, String scope, String memberId, int thresholdPercent, LocalDate periodStart,
                               Instant createdAt, boolean delivered, String payload) {}

    /** A webhook of an org. {@code events} empty: every kind. */
    public record Webhook(String orgId, String id, String url, String secret, List<String> events) {}

    /** A delivery due now, with what is needed to send it. */
    public record Delivery(String orgId, String id, String url, String secret, String payload, int attempts) {}

    /**
     * @param budgets the org's budgets as they stand
     * @param membersByPeriod each period with usage, with the members who had usage in it (only
     *     their budgets are checked in that period: another member's state there has not changed)
     * @param buckets the org's credit buckets as the transaction leaves them, including every
     *     bucket valid now when {@code membersByPeriod} holds the current month
     */
    static void raise(Connection c, String orgId, BudgetSettings budgets, Map<LocalDate, Set<String>> membersByPeriod, List<CreditBucket> buckets,
                      Instant now) throws SQLException {
        LocalDate current = Periods.periodStart(now);
        for (var entry : membersByPeriod.entrySet()) {
            LocalDate period = entry.getKey();
            Set<String> memberIds = entry.getValue();
            long orgConsumed = budgets.org().notifies() ? Enforcement.orgPeriod(c, orgId, period).consumedMicros() : 0;
            Map<String, AlertRules.MemberState> members = new LinkedHashMap<>();
            if (budgets.defaultMember().notifies() && !memberIds.isEmpty()) {
                Map<String, Enforcement.Override> overrides = Enforcement.overrides(c, orgId, memberIds);
                Map<String, Long> consumed = Enforcement.membersConsumed(c, orgId, period, memberIds);
                for (String m : memberIds) {
                    Enforcement.Override o = overrides.get(m);
                    members.put(m, new AlertRules.MemberState(budgets.forMember(o != null, o == null ? null : o.creditsMicros()),
                            consumed.getOrDefault(m, 0L)));
                }
            }
            Long planCredits = null;
            long planConsumed = 0;
            long balance = 0;
            long granted = 0;
            if (period.equals(current)) {
                String planBucketId = PlanAllotment.bucketId(period);
                for (CreditBucket b : buckets) {
                    if (b.kind() == CreditBucket.Kind.GRANT && b.validAt(now)) granted = Math.addExact(granted, b.creditsMicros());
                    if (!b.id().equals(planBucketId)) continue;
                    planCredits = b.creditsMicros();
                    planConsumed = b.consumedMicros();
                    balance = Drawdown.availableMicros(buckets, now);
                }
            }
            for (Alert a : AlertRules.evaluate(period, budgets, orgConsumed, members, planCredits, planConsumed, balance, granted)) {
                insert(c, orgId, a, now);
            }
        }
    }

    /** Stores the alert unless its threshold was already notified this period; queues its webhook deliveries. */
    private static void insert(Connection c, String orgId, Alert a, Instant now) throws SQLException {
        String id = "ntf_" + UUID.randomUUID().toString().replace("-", "");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", id);
        payload.put("orgId", orgId);
        payload.put("kind", a.kind().name());
        payload.put("scope", a.scope());
        payload.put("memberId", a.memberId().isEmpty() ? null : a.memberId());
        payload.put("thresholdPercent", a.thresholdPercent());
        payload.put("periodStart", a.periodStart().toString());
        payload.put("consumedCredits", Credits.format(a.consumedMicros()));
        payload.put("limitCredits", a.limitMicros() == null ? null : Credits.format(a.limitMicros()));
        payload.put("createdAt", now.toString());
        String body;
        try {
            body = JSON.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO notifications (org_id, notification_id, kind, scope, member_id, threshold_percent, period_start,
                  created_at_micros, payload) VALUES (?,?,?,?,?,?,?,?,?)
                ON CONFLICT (org_id, period_start, scope, member_id, threshold_percent) DO NOTHING""")) {
            ps.setString(1, orgId);
            ps.setString(2, id);
            ps.setString(3, a.kind().name());
            ps.setString(4, a.scope());
            ps.setString(5, a.memberId());
            ps.setInt(6, a.thresholdPercent());
            ps.setString(7, a.periodStart().toString());
            ps.setLong(8, Times.micros(now));
            ps.setString(9, body);
            if (ps.executeUpdate() == 0) return;
        }
        for (Webhook w : webhooks(c, orgId)) {
            if (!w.events().isEmpty() && !w.events().contains(a.kind().name())) continue;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO webhook_deliveries (org_id, delivery_id, webhook_id, notification_id, status, attempts, next_attempt_at_micros)
                    VALUES (?,?,?,?,'PENDING',0,?)""")) {
                ps.setString(1, orgId);
                ps.setString(2, "dlv_" + UUID.randomUUID().toString().replace("-", ""));
                ps.setString(3, w.id());
                ps.setString(4, id);
                ps.setLong(5, Times.micros(now));
                ps.executeUpdate();
            }
        }
    }

    static List<Webhook> webhooks(Connection c, String orgId) throws SQLException {
        List<Webhook> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT webhook_id, url, secret, events FROM webhooks WHERE org_id = ? ORDER BY webhook_id")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String events = rs.getString(4);
                    out.add(new Webhook(orgId, rs.getString(1), rs.getString(2), rs.getString(3),
                            events.isEmpty() ? List.of() : Arrays.asList(events.split(","))));
                }
            }
        }
        return out;
    }

    static void putWebhook(Connection c, Webhook w, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO webhooks (org_id, webhook_id, url, secret, events, updated_at_micros) VALUES (?,?,?,?,?,?)
                ON CONFLICT (org_id, webhook_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, events = excluded.events,
                  updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, w.orgId());
            ps.setString(2, w.id());
            ps.setString(3, w.url());
            ps.setString(4, w.secret());
            ps.setString(5, String.join(",", w.events()));
            ps.setLong(6, Times.micros(now));
            ps.executeUpdate();
        }
    }

    static boolean deleteWebhook(Connection c, String orgId, String webhookId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM webhooks WHERE org_id = ? AND webhook_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, webhookId);
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Newest first; those raised together (one transaction, one time) in a fixed order — the
     * later month first, then org, member (by id) and plan alerts, the higher threshold first —
     * so a {@code limit} cuts them the same way every time and on both databases. A member's
     * view is restricted to {@code memberId} when given.
     */
    static List<Notification> notifications(Connection c, String orgId, String memberId, int limit) throws SQLException {
        String sql = "SELECT n.notification_id, n.kind, n.scope, n.member_id, n.threshold_percent, n.period_start, n.created_at_micros, n.payload,"
                + " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.org_id = n.org_id AND d.notification_id = n.notification_id),"
                + " (SELECT COUNT(*) FROM webhook_deliveries d WHERE d.org_id = n.org_id AND d.notification_id = n.notification_id AND d.status = 'DELIVERED')"
                + " FROM notifications n WHERE n.org_id = ?" + (memberId == null ? "" : " AND n.scope = 'member' AND n.member_id = ?")
                + " ORDER BY n.created_at_micros DESC, n.period_start DESC, CASE n.scope WHEN 'org' THEN 0 WHEN 'member' THEN 1 ELSE 2 END,"
                + " n.member_id, n.threshold_percent DESC, n.kind LIMIT ?";
        List<Notification> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, orgId);
            if (memberId != null) ps.setString(i++, memberId);
            ps.setInt(i, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long deliveries = rs.getLong(9);
                    long delivered = rs.getLong(10);
                    out.add(new Notification(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5),
                            LocalDate.parse(rs.getString(6)), Times.instant(rs.getLong(7)), deliveries > 0 && delivered == deliveries, rs.getString(8)));
                }
            }
        }
        return out;
    }

    /** Whether any delivery is due now. */
    static boolean anyDue(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM webhook_deliveries WHERE status = 'PENDING' AND next_attempt_at_micros <= ? LIMIT 1")) {
            ps.setLong(1, Times.micros(now));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Leases up to {@code limit} due deliveries for {@code leaseSeconds}: they are not due again
     * until the lease ends, so a crash mid-delivery only delays them, and two instances never
     * send the same delivery at once.
     */
    static List<Delivery> leaseDue(Connection c, boolean postgres, Instant now, int limit, long leaseSeconds) throws SQLException {
        List<Delivery> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT d.org_id, d.delivery_id, w.url, w.secret, n.payload, d.attempts
                FROM webhook_deliveries d
                JOIN webhooks w ON w.org_id = d.org_id AND w.webhook_id = d.webhook_id
                JOIN notifications n ON n.org_id = d.org_id AND n.notification_id = d.notification_id
                WHERE d.status = 'PENDING' AND d.next_attempt_at_micros <= ?
                ORDER BY d.next_attempt_at_micros LIMIT ?""" + (postgres ? " FOR UPDATE OF d SKIP LOCKED" : ""))) {
            ps.setLong(1, Times.micros(now));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(new Delivery(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getInt(6)));
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET next_attempt_at_micros = ? WHERE org_id = ? AND delivery_id = ?")) {
            for (Delivery d : out) {
                ps.setLong(1, Times.micros(now.plusSeconds(leaseSeconds)));
                ps.setString(2, d.orgId());
                ps.setString(3, d.id());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        return out;
    }

    /** Records an attempt: delivered, retried at {@code retryAt}, or failed for good when {@code retryAt} is null. */
    static void recordAttempt(Connection c, Delivery d, boolean delivered, String error, Instant retryAt, Instant now) throws SQLException {
        String status = delivered ? "DELIVERED" : retryAt == null ? "FAILED" : "PENDING";
        try (PreparedStatement ps = c.prepareStatement("UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_error = ?,"
                + " next_attempt_at_micros = ?, delivered_at_micros = ? WHERE org_id = ? AND delivery_id = ?")) {
            ps.setString(1, status);
            ps.setString(2, error);
            ps.setLong(3, Times.micros(retryAt == null ? now : retryAt));
            Times.setInstant(ps, 4, delivered ? now : null);
            ps.setString(5, d.orgId());
            ps.setString(6, d.id());
            ps.executeUpdate();
        }
    }
}
