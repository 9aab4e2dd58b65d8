package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL for reservations: holds that are PENDING until settled by a usage event, released, or
 * past {@code expires_at} (then they count for nothing; their status reads as EXPIRED).
 */
public final class Reservations {
    private Reservations() {}

    /**
     * How a statement that finds a hold by its key says "still open": {@code finished_at_micros}
     * is set by every settle and release, in the same statement that ends PENDING, so a hold is
     * open exactly while it is NULL. Not {@code status = 'PENDING'}: that is the predicate of the
     * index of open holds by expiry ({@code reservations_pending}, V11), and naming it lets
     * PostgreSQL's planner pick that index for a lookup by key, scanning every open hold of the
     * org with a heap fetch each — holds abandoned past their expiry included, and the statistics
     * may think the index near empty (100,000 open holds, stale statistics: 12.3 ms per settle
     * against 0.07 by the primary key; BENCHMARKS.md). The reads of an org's open holds say
     * {@code status = 'PENDING'}, and use that index.
     */
    static final String OPEN = "finished_at_micros IS NULL";

    /**
     * Settles an open, unexpired hold: event id, finished at, org, hold, member, now — the write
     * batch's settlement of a hold it knows ({@link BulkWrites.Statement#HOLDS_SETTLED}, whose
     * expiry it checks in memory), returning the hold as it was.
     */
    static final String SETTLE_SQL = BulkWrites.Statement.HOLDS_SETTLED.perRow + " AND expires_at_micros > ?"
            + " RETURNING member_id, amount_micros, expires_at_micros";

    /** Releases an open, unexpired hold: finished at, org, hold, now. */
    static final String RELEASE_SQL = "UPDATE reservations SET status = 'RELEASED', finished_at_micros = ?"
            + " WHERE org_id = ? AND reservation_id = ? AND " + OPEN + " AND expires_at_micros > ?";

    /** A reservation as stored, with its status as of now. */
    public record Reservation(String orgId, String id, String memberId, String modelId, String activity, long amountMicros,
                              String status, Instant createdAt, Instant expiresAt, Instant finishedAt, String settledEventId) {}

    /** A settlement to write: the hold, the event that settles it, when. */
    record Settlement(String reservationId, String memberId, String eventId, Instant at) {}

    /** An open hold as it was when closed: whose, how much, until when. */
    record Closed(String memberId, long amountMicros, Instant expiresAt) {}

    /** Marks the member's open, unexpired hold settled by the event; the hold as it was, or null when there was no such hold. */
    static Closed settle(Connection c, String orgId, String reservationId, String memberId, String eventId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SETTLE_SQL)) {
            ps.setString(1, eventId);
            ps.setLong(2, Times.micros(now));
            ps.setString(3, orgId);
            ps.setString(4, reservationId);
            ps.setString(5, memberId);
            ps.setLong(6, Times.micros(now));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Closed(rs.getString(1), rs.getLong(2), Times.instant(rs.getLong(3))) : null;
            }
        }
    }

    /** The columns {@link #read} reads, in its order. */
    private static final String COLUMNS = "reservation_id, member_id, model_id, activity, amount_micros, status, created_at_micros,"
            + " expires_at_micros, finished_at_micros, settled_event_id";

    /** The member's open, unexpired holds. */
    static List<Reservation> openHoldsOf(Connection c, String orgId, String memberId, Instant now) throws SQLException {
        List<Reservation> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM reservations WHERE org_id = ? AND status = 'PENDING'"
                + " AND expires_at_micros > ? AND member_id = ?")) {
            ps.setString(1, orgId);
            ps.setLong(2, Times.micros(now));
            ps.setString(3, memberId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.add(read(rs, orgId, now));
            }
        }
        return out;
    }

    /** Releases an open, unexpired hold; false when there was none to release. */
    static boolean release(Connection c, String orgId, String reservationId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RELEASE_SQL)) {
            ps.setLong(1, Times.micros(now));
            ps.setString(2, orgId);
            ps.setString(3, reservationId);
            ps.setLong(4, Times.micros(now));
            return ps.executeUpdate() > 0;
        }
    }

    static Reservation find(Connection c, String orgId, String reservationId, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM reservations WHERE org_id = ? AND reservation_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, reservationId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs, orgId, now) : null;
            }
        }
    }

    /** A row of {@link #COLUMNS}, with its status as of now (an open hold past its expiry is EXPIRED). */
    private static Reservation read(ResultSet rs, String orgId, Instant now) throws SQLException {
        Instant expires = Times.instant(rs.getLong(8));
        String status = rs.getString(6);
        if (status.equals("PENDING") && !expires.isAfter(now)) status = "EXPIRED";
        return new Reservation(orgId, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5), status,
                Times.instant(rs.getLong(7)), expires, Times.instantOrNull(rs, 9), rs.getString(10));
    }
}
