package creditline.store;

import creditline.analytics.EventFilter;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The request-level export: every field of each usage event of the filter, with its charge,
 * nominal cost and rate version, in order of occurrence. Rows are streamed from a forward-only
 * cursor through a few recycled batches, so memory stays constant whatever the number of rows:
 * the caller runs it inside a transaction (autocommit off), which PostgreSQL needs to fetch
 * {@link #FETCH_ROWS} rows at a time instead of the whole result.
 *
 * <p>Values stay as the database returns them: text as its UTF-8 bytes, everything else as a
 * long (credits in micro-credits, times in microseconds since the epoch). No String or boxed
 * number is made per cell; the sink encodes the bytes it writes straight from these. On SQLite
 * the database packs each row into one value ({@link #PACKED}), read back into the same batches.
 */
public final class EventExport {
    /** Rows fetched from the database per round trip (PostgreSQL; SQLite steps row by row). */
    static final int FETCH_ROWS = 2_000;
    /** Rows handed from the reading thread to the writing one at a time. */
    static final int BATCH_ROWS = 512;
    /** Batches waiting between the two threads at most. */
    static final int BATCHES_QUEUED_MAX = 4;
    /** Batches in all (queued, being filled, being written): with BATCH_ROWS, the export's memory bound. */
    static final int BATCHES = BATCHES_QUEUED_MAX + 2;

    /** How a column's value is read from a {@link Row}. */
    public enum Kind {
        /** {@link Row#text}: UTF-8 bytes, or null. */ TEXT,
        /** {@link Row#number}: counts and tokens (never null). */ COUNT,
        /** {@link Row#number} unless {@link Row#isNull}: versions, latencies, retries... */ OPTIONAL_COUNT,
        /** {@link Row#number}: micro-credits (never null). */ CREDITS,
        /** {@link Row#number}: microseconds since 1970-01-01T00:00:00Z (never null). */ TIME,
        /** {@link Row#number}: 1 for true, 0 for false (never null). */ BOOLEAN,
        /** {@link Row#text}: the UTF-8 bytes of a JSON object, or null. */ JSON
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

    private static final Kind[] KINDS = COLUMNS.stream().map(Column::kind).toArray(Kind[]::new);

    /**
     * One event of the export, valid only during {@link RowSink#row}; columns are indexes into
     * {@link #COLUMNS}, read as their {@link Kind} says.
     */
    public interface Row {
        /** True when the column holds no value (text or optional count). */
        boolean isNull(int column);

        long number(int column);

        /** The text's UTF-8 bytes (do not modify), or null. */
        byte[] text(int column);
    }

    /** Receives the rows, one at a time, in order. */
    public interface RowSink {
        /** Called once the query runs, before the first row (also when there is none). */
        void start() throws IOException;

        void row(Row row) throws IOException;
    }

    private EventExport() {}

    /**
     * On SQLite, every column of a row packed into one text value by the database: a header of
     * one field per column, each ending with a comma (a number, the byte length of a text, or
     * nothing for NULL), then the texts' bytes one after another. The driver reads a cell through
     * a JNI call or two (35 columns: some 55 calls a row, the export's bottleneck); packed, a row
     * is one step and one read. {@code concat} writes NULL as nothing, and integers in decimal.
     */
    private static final String PACKED = packed();

    private static String packed() {
        StringBuilder header = new StringBuilder();
        StringBuilder texts = new StringBuilder();
        for (Column col : COLUMNS) {
            String field = switch (col.kind()) {
                case TEXT, JSON -> {
                    texts.append(", ").append(col.sql());
                    yield "octet_length(" + col.sql() + ")";
                }
                case BOOLEAN -> "CASE WHEN " + col.sql() + " THEN 1 ELSE 0 END";
                case COUNT, OPTIONAL_COUNT, CREDITS, TIME -> col.sql();
            };
            header.append(header.isEmpty() ? "" : ", ").append(field).append(", ','");
        }
        return "concat(" + header + texts + ")";
    }

    /** Streams the org's events of the filter into the sink; returns how many. */
    static long stream(Connection c, String orgId, EventFilter f, RowSink sink) throws SQLException, IOException {
        boolean packed = "SQLite".equals(c.getMetaData().getDatabaseProductName());
        StringBuilder sql = new StringBuilder("SELECT ");
        if (packed) sql.append(PACKED);
        else for (int k = 0; k < COLUMNS.size(); k++) sql.append(k == 0 ? "" : ", ").append(COLUMNS.get(k).sql());
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
                return pipe(rs, packed, sink);
            }
        }
    }

    /**
     * A cursor over values a database packed into one (the export's rows, the member table's
     * ranking): fields holding a decimal integer or nothing (NULL), each ending with a comma, and
     * runs of bytes whose lengths earlier fields gave.
     */
    static final class Packed {
        private byte[] p;
        private int pos;

        Packed reset(byte[] packed) {
            p = packed == null ? new byte[0] : packed;
            pos = 0;
            return this;
        }

        boolean atEnd() {
            return pos == p.length;
        }

        /** True, and past its comma, when the next field is empty (NULL). */
        boolean skipEmpty() {
            if (p[pos] != ',') return false;
            pos++;
            return true;
        }

        /** The next field's integer; past its comma. */
        long number() {
            boolean negative = p[pos] == '-';
            if (negative) pos++;
            // Accumulated negatively: Long.MIN_VALUE has no positive counterpart. The database
            // printed a 64-bit integer: at most 19 digits, no overflow to check.
            long v = 0;
            for (byte b; (b = p[pos++]) != ','; ) {
                int digit = b - '0';
                if (digit < 0 || digit > 9) throw new IllegalStateException("not a packed number at byte " + (pos - 1));
                v = v * 10 - digit;
            }
            return negative ? v : -v;
        }

        /** The next {@code length} bytes, copied. */
        byte[] bytes(int length) {
            byte[] out = Arrays.copyOfRange(p, pos, pos + length);
            pos += length;
            return out;
        }

        void requireEnd() {
            if (!atEnd()) throw new IllegalStateException("packed value of " + p.length + " bytes has more than its fields (" + pos + ")");
        }
    }

    private static final Object END = new Object();

    /** Up to {@link #BATCH_ROWS} rows, column-major per row: reused once written. */
    private static final class Batch implements Row {
        private final long[] numbers = new long[BATCH_ROWS * KINDS.length];
        private final byte[][] texts = new byte[BATCH_ROWS * KINDS.length][];
        private final boolean[] nulls = new boolean[BATCH_ROWS * KINDS.length];
        private final Packed packed = new Packed();
        private int size;
        private int base;

        /** Reads the result set's current row into the batch; false once it is full. */
        boolean read(ResultSet rs) throws SQLException {
            int at = size * KINDS.length;
            for (int k = 0; k < KINDS.length; k++) {
                int col = k + 1;
                switch (KINDS[k]) {
                    case TEXT, JSON -> {
                        byte[] v = rs.getBytes(col);
                        texts[at + k] = v;
                        nulls[at + k] = v == null;
                    }
                    case COUNT, CREDITS, TIME -> numbers[at + k] = rs.getLong(col);
                    case OPTIONAL_COUNT -> {
                        numbers[at + k] = rs.getLong(col);
                        nulls[at + k] = rs.wasNull();
                    }
                    case BOOLEAN -> numbers[at + k] = rs.getBoolean(col) ? 1 : 0;
                }
            }
            return ++size < BATCH_ROWS;
        }

        /** Reads a row packed as {@link #PACKED} describes into the batch; false once it is full. */
        boolean readPacked(byte[] row) {
            int at = size * KINDS.length;
            Packed p = packed.reset(row);
            for (int k = 0; k < KINDS.length; k++) {
                nulls[at + k] = p.skipEmpty();
                numbers[at + k] = nulls[at + k] ? 0 : p.number();
            }
            for (int k = 0; k < KINDS.length; k++) {
                if (KINDS[k] == Kind.TEXT || KINDS[k] == Kind.JSON) texts[at + k] = nulls[at + k] ? null : p.bytes(Math.toIntExact(numbers[at + k]));
            }
            p.requireEnd();
            return ++size < BATCH_ROWS;
        }

        void at(int row) {
            base = row * KINDS.length;
        }

        @Override
        public boolean isNull(int column) {
            return nulls[base + column];
        }

        @Override
        public long number(int column) {
            return numbers[base + column];
        }

        @Override
        public byte[] text(int column) {
            return texts[base + column];
        }
    }

    /**
     * Reads the rows on a second thread while the caller writes them: reading the database and
     * encoding the rows take about as long, so an export runs on two cores. {@link #BATCHES}
     * batches go round between the two; at most {@link #BATCHES_QUEUED_MAX} wait to be written.
     */
    private static long pipe(ResultSet rs, boolean packed, RowSink sink) throws SQLException, IOException {
        BlockingQueue<Object> full = new ArrayBlockingQueue<>(BATCHES_QUEUED_MAX);
        BlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
        for (int i = 0; i < BATCHES; i++) free.add(new Batch());
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = Thread.ofPlatform().name("creditline-export-reader").start(() -> {
            try {
                Batch batch = take(free, stop);
                while (batch != null && !stop.get() && rs.next()) {
                    if (!(packed ? batch.readPacked(rs.getBytes(1)) : batch.read(rs))) {
                        if (!hand(full, batch, stop)) return;
                        batch = take(free, stop);
                    }
                }
                if (batch != null && batch.size > 0 && !hand(full, batch, stop)) return;
                hand(full, END, stop);
            } catch (Throwable t) {
                hand(full, t, stop);
            }
        });
        long rows = 0;
        try {
            while (true) {
                Object item = full.take();
                if (item == END) return rows;
                if (item instanceof SQLException e) throw e;
                if (item instanceof RuntimeException e) throw e;
                if (item instanceof Throwable t) throw new IllegalStateException("the export reader failed", t);
                Batch batch = (Batch) item;
                for (int r = 0; r < batch.size; r++) {
                    batch.at(r);
                    sink.row(batch);
                }
                rows += batch.size;
                batch.size = 0;
                free.add(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while exporting", e);
        } finally {
            stop.set(true);
            full.clear();
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

    /** An empty batch for the reader; null when the writer has stopped. */
    private static Batch take(BlockingQueue<Batch> free, AtomicBoolean stop) {
        try {
            Batch b;
            while ((b = free.poll(100, TimeUnit.MILLISECONDS)) == null) {
                if (stop.get()) return null;
            }
            return b;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
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
        sql.append(" AND ").append(column).append(" IN (").append(Query.parameters(values.size())).append(")");
        args.addAll(values);
    }
}
