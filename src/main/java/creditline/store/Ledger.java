package creditline.store;

import creditline.ledger.CreditBucket;
import creditline.ledger.PlanAllotment;
import creditline.plan.Plan;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** SQL for credit buckets. */
final class Ledger {
    private Ledger() {}

    private static final String COLUMNS = "bucket_id, kind, credits_micros, consumed_micros, valid_from_micros, expires_at_micros, reason, created_at_micros";

    static CreditBucket bucket(Connection c, String orgId, String bucketId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM credit_buckets WHERE org_id = ? AND bucket_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, bucketId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    /** Buckets whose validity overlaps {@code [from, to)}. */
    static List<CreditBucket> bucketsOverlapping(Connection c, String orgId, Instant from, Instant to) throws SQLException {
        return bucketsOverlappingQuery(orgId, from, to).run(c);
    }

    static Query<List<CreditBucket>> bucketsOverlappingQuery(String orgId, Instant from, Instant to) {
        return new Query<>("SELECT " + COLUMNS + " FROM credit_buckets WHERE org_id = ?"
                + " AND (valid_from_micros IS NULL OR valid_from_micros < ?) AND (expires_at_micros IS NULL OR expires_at_micros > ?)",
                (ps, first) -> {
                    ps.setString(first, orgId);
                    ps.setLong(first + 1, Times.micros(to));
                    ps.setLong(first + 2, Times.micros(from));
                    return first + 3;
                },
                rs -> {
                    List<CreditBucket> out = new ArrayList<>();
                    while (rs.next()) out.add(read(rs));
                    return out;
                });
    }

    /** Every grant of the org (not plan allotments), newest first. */
    static List<CreditBucket> grants(Connection c, String orgId) throws SQLException {
        List<CreditBucket> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM credit_buckets WHERE org_id = ? AND kind = 'GRANT'"
                + " ORDER BY created_at_micros DESC, bucket_id")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(read(rs));
            }
        }
        return out;
    }

    /**
     * The plan bucket of {@code period} as stored, or as it will be stored when first needed
     * (so reads never have to write).
     */
    static CreditBucket planBucket(Connection c, String orgId, Plan plan, LocalDate period, Instant now) throws SQLException {
        CreditBucket stored = bucket(c, orgId, PlanAllotment.bucketId(period));
        if (stored != null) return stored;
        // Rollover carries what the previous month's stored allotment has left; a month never used carried nothing.
        CreditBucket previous = plan.rollover() ? bucket(c, orgId, PlanAllotment.bucketId(period.minusMonths(1))) : null;
        return PlanAllotment.bucket(plan, period, previous, now);
    }

    /** Remaining plan allotment + grants valid at {@code now} (a plan bucket not stored yet counts as it will be). */
    static long balanceMicros(Connection c, String orgId, Plan plan, Instant now) throws SQLException {
        return creditline.ledger.Drawdown.availableMicros(bucketsValidAt(c, orgId, plan, now), now);
    }

    static List<CreditBucket> bucketsValidAt(Connection c, String orgId, Plan plan, Instant now) throws SQLException {
        List<CreditBucket> valid = new ArrayList<>(bucketsOverlapping(c, orgId, now, now.plusNanos(1_000)));
        LocalDate period = creditline.plan.Periods.periodStart(now);
        String planBucketId = PlanAllotment.bucketId(period);
        if (valid.stream().noneMatch(b -> b.id().equals(planBucketId))) valid.add(planBucket(c, orgId, plan, period, now));
        return valid;
    }

    static CreditBucket ensurePlanBucket(Connection c, String orgId, Plan plan, LocalDate period, Instant now) throws SQLException {
        CreditBucket b = planBucket(c, orgId, plan, period, now);
        insertIfAbsent(c, orgId, b);
        return b;
    }

    static void insertIfAbsent(Connection c, String orgId, CreditBucket b) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_buckets (org_id, " + COLUMNS
                + ") VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT (org_id, bucket_id) DO NOTHING")) {
            ps.setString(1, orgId);
            ps.setString(2, b.id());
            ps.setString(3, b.kind().name());
            ps.setLong(4, b.creditsMicros());
            ps.setLong(5, b.consumedMicros());
            Times.setInstant(ps, 6, b.validFrom());
            Times.setInstant(ps, 7, b.expiresAt());
            ps.setString(8, b.reason());
            ps.setLong(9, Times.micros(b.createdAt()));
            ps.executeUpdate();
        }
    }

    static void setCredits(Connection c, String orgId, String bucketId, long creditsMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE credit_buckets SET credits_micros = ? WHERE org_id = ? AND bucket_id = ?")) {
            ps.setLong(1, creditsMicros);
            ps.setString(2, orgId);
            ps.setString(3, bucketId);
            ps.executeUpdate();
        }
    }

    private static CreditBucket read(ResultSet rs) throws SQLException {
        return new CreditBucket(rs.getString(1), CreditBucket.Kind.valueOf(rs.getString(2)), rs.getLong(3), rs.getLong(4),
                Times.instantOrNull(rs, 5), Times.instantOrNull(rs, 6),
                rs.getString(7), Times.instant(rs.getLong(8)));
    }
}
