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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

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
    /** Rows handed from the reading thread to the writing one at a time. */
    static final int BATCH_ROWS = 512;
    /** Batches waiting between the two threads at most: with BATCH_ROWS, the export's memory bound. */
    static final int BATCHES_QUEUED_MAX = 4;

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
            try (ResultSet rs = ps.executeQuery()) {
                sink.start();
                return pipe(rs, sink);
            }
        }
    }

    private static final Object END = new Object();

    /**
     * Reads the rows on a second thread while the caller writes them: reading the database and
     * writing CSV take about as long, so an export runs on two cores. At most
     * {@link #BATCHES_QUEUED_MAX} batches of {@link #BATCH_ROWS} rows wait between the two.
     */
    private static long pipe(ResultSet rs, RowSink sink) throws SQLException, IOException {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(BATCHES_QUEUED_MAX);
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = Thread.ofPlatform().name("creditline-export-reader").start(() -> {
            try {
                List<Object[]> batch = new ArrayList<>(BATCH_ROWS);
                while (!stop.get() && rs.next()) {
                    batch.add(values(rs));
                    if (batch.size() == BATCH_ROWS) {
                        if (!hand(queue, batch, stop)) return;
                        batch = new ArrayList<>(BATCH_ROWS);
                    }
                }
                if (hand(queue, batch, stop)) hand(queue, END, stop);
            } catch (Throwable t) {
                hand(queue, t, stop);
            }
        });
        long rows = 0;
        try {
            while (true) {
                Object item = queue.take();
                if (item == END) return rows;
                if (item instanceof SQLException e) throw e;
                if (item instanceof RuntimeException e) throw e;
                if (item instanceof Throwable t) throw new IllegalStateException("the export reader failed", t);
                @SuppressWarnings("unchecked")
                List<Object[]> batch = (List<Object[]>) item;
                for (Object[] row : batch) sink.row(row);
                rows += batch.size();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while exporting", e);
        } finally {
            stop.set(true);
            queue.clear();
            joinQuietly(reader);
        }
    }

    /** Queues an item for the writer; false when the writer has stopped. */
    private static boolean hand(BlockingQueue<Object> queue, Object item, AtomicBoolean stop) {
        try {
            while (!queue.offer(item, 100, TimeUnit.MILLISECONDS)) {
                if (stop.get()) return false;
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
