package creditline.store;

import creditline.common.Failure;
import creditline.pricing.TokenCounts;
import creditline.usage.UsageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the recorded events of one task of one org (usage_events by org_id and task) for
 * what-if re-pricing. Reads only; at most {@link #TASK_EVENTS_MAX} events.
 */
public final class TaskReprice {
    public static final int TASK_EVENTS_MAX = 100_000;

    /** An event as recorded (prices aside, the fields pricing needs), with its recorded charge and nominal cost. */
    public record RecordedEvent(UsageEvent event, long chargedMicros, long nominalMicros) {}

    private final Database db;

    public TaskReprice(Database db) {
        this.db = db;
    }

    /**
     * Streams the task's events in occurrence order to {@code sink}; returns how many there were.
     *
     * @throws Failure {@code TASK_TOO_LARGE} when the task has more than {@link #TASK_EVENTS_MAX} events (before any is streamed)
     */
    public int forEachEvent(String orgId, String task, Consumer<RecordedEvent> sink) {
        try (Connection c = db.readers().getConnection()) {
            int n = count(c, orgId, task);
            if (n > TASK_EVENTS_MAX) {
                throw new Failure(Failure.Kind.INVALID, "TASK_TOO_LARGE", "task '" + task + "' has " + n + " events; at most "
                        + TASK_EVENTS_MAX + " can be compared at once", Map.of("taskEventsMax", TASK_EVENTS_MAX, "events", n));
            }
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT event_id, member_id, model_id, activity, occurred_at_micros, input_tokens, output_tokens,
                      cache_write_tokens, cache_read_tokens, cache_write_1h_tokens, audio_input_tokens, audio_output_tokens,
                      image_input_tokens, image_output_tokens, tool_calls, unmetered_reason, charged_micros, nominal_micros
                    FROM usage_events WHERE org_id = ? AND task = ? ORDER BY occurred_at_micros, event_id""")) {
                ps.setString(1, orgId);
                ps.setString(2, task);
                ps.setFetchSize(1_000);
                int seen = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && seen < TASK_EVENTS_MAX) {
                        seen++;
                        sink.accept(read(rs, orgId));
                    }
                }
                return seen;
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    private static int count(Connection c, String orgId, String task) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usage_events WHERE org_id = ? AND task = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, task);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static RecordedEvent read(ResultSet rs, String orgId) throws SQLException {
        TokenCounts tokens = new TokenCounts(rs.getLong("input_tokens"), rs.getLong("output_tokens"), rs.getLong("cache_write_tokens"),
                rs.getLong("cache_read_tokens"), rs.getLong("cache_write_1h_tokens"), rs.getLong("audio_input_tokens"),
                rs.getLong("audio_output_tokens"), rs.getLong("image_input_tokens"), rs.getLong("image_output_tokens"));
        UsageEvent e = new UsageEvent(rs.getString("event_id"), orgId, rs.getString("member_id"), rs.getString("model_id"),
                rs.getString("activity"), Times.instant(rs.getLong("occurred_at_micros")), tokens, rs.getLong("tool_calls"), null,
                "byo_key".equals(rs.getString("unmetered_reason")), UsageEvent.Details.NONE);
        return new RecordedEvent(e, rs.getLong("charged_micros"), rs.getLong("nominal_micros"));
    }
}
