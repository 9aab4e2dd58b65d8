package creditline.store;

import creditline.analytics.EventFilter;
import creditline.pricing.Credits;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The request-level export: every field of each usage event of the filter, with its charge,
 * nominal cost and rate version, in order of occurrence. Rows are streamed one at a time from a
 * forward-only cursor, so memory stays constant whatever the number of rows: the caller runs it
 * inside a transaction (autocommit off), which PostgreSQL needs to fetch {@link #FETCH_ROWS} rows
 * at a time instead of the whole result.
 */
public final class EventExport {
    /** Rows fetched from the database per round trip. */
    static final int FETCH_ROWS = 1_000;

    /** How a column's value is typed in a row. */
    public enum Kind {
        /** A String. */ TEXT,
        /** A Long: counts and tokens (never null). */ COUNT,
        /** A Long or null: versions, latencies, retries... */ OPTIONAL_COUNT,
        /** A decimal String of credits. */ CREDITS,
        /** An ISO-8601 UTC String. */ TIME,
        /** A Boolean. */ BOOLEAN,
        /** A String holding a JSON object. */ JSON
    }

    /** An exported column: its name in the header (and JSON Lines key) and its kind. */
    public record Column(String name, String sql, Kind kind) {}

    public static final List<Column> COLUMNS = List.of(
            new Column("id", "event_id", Kind.TEXT),
            new Column("orgId", "org_id", Kind.TEXT),
            new Column("memberId", "member_id", Kind.TEXT),
            new Column("model", "model_id", Kind.TEXT),
            new Column("activity", "activity", Kind.TEXT),
            new Column("occurredAt", "occurred_at_micros", Kind.TIME),
            new Column("receivedAt", "received_at_micros", Kind.TIME),
            new Column("credits", "charged_micros", Kind.CREDITS),
            new Column("nominalCredits", "nominal_micros", Kind.CREDITS),
            new Column("rateVersion", "rate_version", Kind.OPTIONAL_COUNT),
            new Column("unmeteredReason", "unmetered_reason", Kind.TEXT),
            new Column("restricted", "restricted", Kind.BOOLEAN),
            new Column("inputTokens", "input_tokens", Kind.COUNT),
            new Column("outputTokens", "output_tokens", Kind.COUNT),
            new Column("cacheWriteTokens", "cache_write_tokens", Kind.COUNT),
            new Column("cacheReadTokens", "cache_read_tokens", Kind.COUNT),
            new Column("cacheWrite1hTokens", "cache_write_1h_tokens", Kind.COUNT),
            new Column("audioInputTokens", "audio_input_tokens", Kind.COUNT),
            new Column("audioOutputTokens", "audio_output_tokens", Kind.COUNT),
            new Column("imageInputTokens", "image_input_tokens", Kind.COUNT),
            new Column("imageOutputTokens", "image_output_tokens", Kind.COUNT),
            new Column("toolCalls", "tool_calls", Kind.COUNT),
            new Column("reservationId", "reservation_id", Kind.TEXT),
            new Column("agent", "agent", Kind.TEXT),
            new Column("conversation", "conversation", Kind.TEXT),
            new Column("task", "task", Kind.TEXT),
            new Column("session", "session", Kind.TEXT),
            new Column("latencyMs", "latency_ms", Kind.OPTIONAL_COUNT),
            new Column("status", "status", Kind.TEXT),
            new Column("region", "region", Kind.TEXT),
            new Column("retries", "retries", Kind.OPTIONAL_COUNT),
            new Column("iterations", "iterations", Kind.OPTIONAL_COUNT),
            new Column("externalCalls", "external_calls", Kind.OPTIONAL_COUNT),
            new Column("contextBytes", "context_bytes", Kind.OPTIONAL_COUNT),
            new Column("metadata", "metadata", Kind.JSON));

    /** Receives the rows, one array per event, values typed by {@link Column#kind()} (null: absent). */
    public interface RowSink {
        /** Called once the query runs, before the first row (also when there is none). */
        void start() throws IOException;

        void row(Object[] values) throws IOException;
    }

    private EventExport() {}

    /** Streams the org's events of the filter into the sink; returns how many. */
    static long stream(Connection c, String orgId, EventFilter f, RowSink sink) throws SQLException, IOException {
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int k = 0; k < COLUMNS.size(); k++) sql.append(k == 0 ? "" : ", ").append(COLUMNS.get(k).sql());
        sql.append(" FROM usage_events WHERE org_id = ? AND occurred_at_micros >= ? AND occurred_at_micros < ?");
        List<String> args = new ArrayList<>();
        in(sql, args, "model_id", f.models());
        in(sql, args, "activity", f.activities());
        in(sql, args, "member_id", f.memberIds());
        sql.append(" ORDER BY occurred_at_micros");
        try (PreparedStatement ps = c.prepareStatement(sql.toString(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(FETCH_ROWS);
            int i = 1;
            ps.setString(i++, orgId);
            ps.setLong(i++, Times.micros(f.range().fromInstant()));
            ps.setLong(i++, Times.micros(f.range().toInstant()));
            for (String a : args) ps.setString(i++, a);
            long rows = 0;
            try (ResultSet rs = ps.executeQuery()) {
                sink.start();
                while (rs.next()) {
                    sink.row(values(rs));
                    rows++;
                }
            }
            return rows;
        }
    }

    private static void in(StringBuilder sql, List<String> args, String column, Set<String> values) {
        if (values.isEmpty()) return;
        sql.append(" AND ").append(column).append(" IN (").append("?,".repeat(values.size() - 1)).append("?)");
        args.addAll(values);
    }

    private static Object[] values(ResultSet rs) throws SQLException {
        Object[] v = new Object[COLUMNS.size()];
        for (int k = 0; k < v.length; k++) {
            int col = k + 1;
            v[k] = switch (COLUMNS.get(k).kind()) {
                case TEXT, JSON -> rs.getString(col);
                case COUNT -> rs.getLong(col);
                case OPTIONAL_COUNT -> {
                    long n = rs.getLong(col);
                    yield rs.wasNull() ? null : n;
                }
                case CREDITS -> Credits.format(rs.getLong(col));
                case TIME -> Times.instant(rs.getLong(col)).toString();
                case BOOLEAN -> rs.getBoolean(col);
            };
        }
        return v;
    }
}
