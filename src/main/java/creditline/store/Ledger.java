package creditline.store;

import creditline.ledger.CreditBucket;
import creditline.ledger.PlanAllotment;
import creditline.plan.Periods;
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
        if (stored != null && !undecided(stored, now)) return stored;
        // Rollover carries what the previous month's allotment has left — as it will be stored when
        // that month was never written either (a month without usage carries all of its own).
        CreditBucket previous = plan.rollover() && hadPlan(c, orgId, period.minusMonths(1)) ? planBucket(c, orgId, plan, period.minusMonths(1), now) : null;
        CreditBucket b = PlanAllotment.bucket(plan, period, previous, now);
        return stored == null ? b : b.withConsumed(stored.consumedMicros());
    }

    /**
     * A plan bucket stored before its month began (for an event dated up to 5 minutes ahead, in the
     * month's last minutes) holds the plan's credits provisionally: its allotment — the plan then
     * in force, and a rollover carry — is decided at the org's first write once the month has begun.
     * Its {@code createdAt} is before its {@code validFrom} until then.
     */
    static boolean provisional(CreditBucket b) {
        return b.kind() == CreditBucket.Kind.PLAN && b.validFrom() != null && b.createdAt().isBefore(b.validFrom());
    }

    /** A provisional bucket whose month has begun: its allotment is to be decided now. */
    static boolean undecided(CreditBucket b, Instant now) {
        return provisional(b) && !now.isBefore(b.validFrom());
    }

    /** Whether the org existed in the month (it has an allotment for it from its first month on). */
    private static boolean hadPlan(Connection c, String orgId, LocalDate period) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT created_at_micros FROM orgs WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && !period.isBefore(creditline.plan.Periods.periodStart(Times.instant(rs.getLong(1))));
            }
        }
    }

    /** Remaining plan allotment + grants valid at {@code now} (a plan bucket not stored yet counts as it will be). */
    static long balanceMicros(Connection c, String orgId, Plan plan, Instant now) throws SQLException {
        return creditline.ledger.Drawdown.availableMicros(bucketsValidAt(c, orgId, plan, now), now);
    }

    static List<CreditBucket> bucketsValidAt(Connection c, String orgId, Plan plan, Instant now) throws SQLException {
        List<CreditBucket> valid = new ArrayList<>(bucketsOverlapping(c, orgId, now, now.plusNanos(1_000)));
        LocalDate period = Periods.periodStart(now);
        String planBucketId = PlanAllotment.bucketId(period);
        valid.removeIf(b -> b.id().equals(planBucketId) && undecided(b, now));
        if (valid.stream().noneMatch(b -> b.id().equals(planBucketId))) valid.add(planBucket(c, orgId, plan, period, now));
        return valid;
    }

    /**
     * Stores the month's plan bucket when it is not stored yet. On a rollover plan the previous
     * month's is stored first (so a chain of months never written is stored as it was shown), and
     * what it has left moves into this one: the previous month's credits become what it consumed,
     * so a late event dated in it finds its allotment moved on (and draws grants, or is overage)
     * rather than spending the same credits in both months.
     */
    static CreditBucket ensurePlanBucket(Connection c, String orgId, Plan plan, LocalDate period, Instant now) throws SQLException {
        CreditBucket stored = bucket(c, orgId, PlanAllotment.bucketId(period));
        if (stored != null && !undecided(stored, now)) return stored;
        if (now.isBefore(Periods.startInstant(period))) {
            // A month not begun: the plan's credits for now, nothing carried yet (see provisional).
            CreditBucket b = PlanAllotment.bucket(plan, period, null, now);
            insertIfAbsent(c, orgId, b, 0);
            return b;
        }
        CreditBucket previous = plan.rollover() && hadPlan(c, orgId, period.minusMonths(1))
                ? ensurePlanBucket(c, orgId, plan, period.minusMonths(1), now) : null;
        CreditBucket b = PlanAllotment.bucket(plan, period, previous, now);
        long carried = previous == null ? 0 : previous.remainingMicros();
        if (stored == null) {
            insertIfAbsent(c, orgId, b, carried);
        } else {
            b = b.withConsumed(stored.consumedMicros());
            setAllotment(c, orgId, b.id(), b.creditsMicros(), carried, now);
        }
        if (carried > 0) setCredits(c, orgId, previous.id(), previous.consumedMicros());
        return b;
    }

    /**
     * Stores the allotments of the month of {@code now} and of the months a late event may still
     * be dated in (35 days back, from the org's first month), as the plan the org is on now gives
     * them: a later plan edit or change then applies to none of them, and a rollover carry moves
     * into this month before any late event could spend it in the month before.
     */
    static CreditBucket settleMonths(Connection c, String orgId, Plan plan, Instant now) throws SQLException {
        LocalDate current = Periods.periodStart(now);
        for (LocalDate p = Periods.periodStart(now.minus(java.time.Duration.ofDays(35))); p.isBefore(current); p = p.plusMonths(1)) {
            if (hadPlan(c, orgId, p)) ensurePlanBucket(c, orgId, plan, p, now);
        }
        return ensurePlanBucket(c, orgId, plan, current, now);
    }

    /** What the stored bucket holds that was carried from the previous month (0 when none, or not stored). */
    static long carriedMicros(Connection c, String orgId, String bucketId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT carried_micros FROM credit_buckets WHERE org_id = ? AND bucket_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, bucketId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Sets a plan bucket's allotment and the part of it carried in; {@code decidedAt} non-null also
     * marks a provisional allotment decided (its {@code createdAt}), null keeps it.
     */
    static void setAllotment(Connection c, String orgId, String bucketId, long creditsMicros, long carriedMicros, Instant decidedAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE credit_buckets SET credits_micros = ?, carried_micros = ?,"
                + " created_at_micros = COALESCE(?, created_at_micros) WHERE org_id = ? AND bucket_id = ?")) {
            ps.setLong(1, creditsMicros);
            ps.setLong(2, carriedMicros);
            Times.setInstant(ps, 3, decidedAt);
            ps.setString(4, orgId);
            ps.setString(5, bucketId);
            ps.executeUpdate();
        }
    }

    static void insertIfAbsent(Connection c, String orgId, CreditBucket b) throws SQLException {
        insertIfAbsent(c, orgId, b, 0);
    }

    private static void insertIfAbsent(Connection c, String orgId, CreditBucket b, long carriedMicros) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO credit_buckets (org_id, " + COLUMNS
                + ", carried_micros) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (org_id, bucket_id) DO NOTHING")) {
            ps.setString(1, orgId);
            ps.setString(2, b.id());
            ps.setString(3, b.kind().name());
            ps.setLong(4, b.creditsMicros());
            ps.setLong(5, b.consumedMicros());
            Times.setInstant(ps, 6, b.validFrom());
            Times.setInstant(ps, 7, b.expiresAt());
            ps.setString(8, b.reason());
            ps.setLong(9, Times.micros(b.createdAt()));
            ps.setLong(10, carriedMicros);
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
