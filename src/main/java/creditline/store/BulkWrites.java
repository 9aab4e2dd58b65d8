package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Rows a write batch writes at once, by {@link Statement}, written together by {@link #write}: on
 * PostgreSQL every upsert takes all its rows as arrays ({@code unnest}) and all the statements
 * go in one round trip (a statement per row with many rows as a JDBC batch of its own); on SQLite,
 * which has no round trips, each row is one step of its statement.
 * The statements run in their declared order (holds are inserted before they are settled).
 */
final class BulkWrites {
    /** A column's SQL type: how its values are bound and, on PostgreSQL, the type of its array. */
    enum Type {
        TEXT("text"), BIGINT("int8"), BOOLEAN("bool");

        final String postgres;

        Type(String postgres) {
            this.postgres = postgres;
        }

        /** An array for values of this type (PostgreSQL's driver takes its element type from it). */
        private Object[] newArray(int length) {
            return switch (this) {
                case TEXT -> new String[length];
                case BIGINT -> new Long[length];
                case BOOLEAN -> new Boolean[length];
            };
        }
    }

    /** Binds a column of {@code length} rows as one PostgreSQL array of the type ({@code valueAt}: the row's value). */
    static void bindArray(PreparedStatement ps, int i, Type type, int length, java.util.function.IntFunction<Object> valueAt) throws SQLException {
        Object[] values = type.newArray(length);
        for (int k = 0; k < length; k++) values[k] = valueAt.apply(k);
        ps.setArray(i, ps.getConnection().createArrayOf(type.postgres, values));
    }

    /** Every statement a batch writes rows with, in the order they run. */
    enum Statement {
        HOLDS_OPENED(insert("reservations", "org_id TEXT, reservation_id TEXT, member_id TEXT, model_id TEXT, activity TEXT,"
                + " amount_micros BIGINT, status TEXT, created_at_micros BIGINT, expires_at_micros BIGINT", "")),
        /** Applied only to open holds ({@link Reservations#OPEN}): which rows applied is reported. */
        HOLDS_SETTLED(update("reservations", "settled_event_id TEXT, finished_at_micros BIGINT, org_id TEXT, reservation_id TEXT, member_id TEXT",
                "status = 'SETTLED', settled_event_id = ?, finished_at_micros = ?", "org_id, reservation_id, member_id", Reservations.OPEN), true),
        BUCKETS_DRAWN(update("credit_buckets", "consumed_micros BIGINT, org_id TEXT, bucket_id TEXT", "consumed_micros = ?", "org_id, bucket_id", null)),
        PERIOD_TOTALS(adding("usage_periods", "org_id TEXT, period_start TEXT", List.of("events", "consumed_micros", "overage_micros",
                "nominal_micros", "input_tokens", "output_tokens", "cache_write_tokens", "cache_read_tokens"))),
        MEMBER_PERIODS(adding("member_periods", "org_id TEXT, period_start TEXT, member_id TEXT", List.of("events", "consumed_micros"))),
        ORG_MODELS(adding("usage_org_models", "org_id TEXT, epoch_day BIGINT, model_id TEXT", Rollups.MEASURES)),
        ORG_ACTIVITIES(adding("usage_org_activities", "org_id TEXT, epoch_day BIGINT, activity TEXT, agent TEXT", Rollups.MEASURES)),
        MEMBER_MODELS(adding("usage_member_models", "org_id TEXT, member_id TEXT, epoch_day BIGINT, model_id TEXT", Rollups.MEASURES)),
        MEMBER_ACTIVITIES(adding("usage_member_activities", "org_id TEXT, member_id TEXT, epoch_day BIGINT, activity TEXT, agent TEXT", Rollups.MEASURES)),
        /** A member's totals grow by the batch's; their first and last day widen to the batch's days. */
        MEMBER_TOTALS(insert("usage_member_totals", "org_id TEXT, member_id TEXT, first_day BIGINT, last_day BIGINT, events BIGINT, charged_micros BIGINT", """
                 ON CONFLICT (org_id, member_id) DO UPDATE SET
                  first_day = CASE WHEN excluded.first_day < usage_member_totals.first_day THEN excluded.first_day ELSE usage_member_totals.first_day END,
                  last_day = CASE WHEN excluded.last_day > usage_member_totals.last_day THEN excluded.last_day ELSE usage_member_totals.last_day END,
                  events = usage_member_totals.events + excluded.events,
                  charged_micros = usage_member_totals.charged_micros + excluded.charged_micros""")),
        MEMBER_BLOCKS(adding("usage_member_blocks", "org_id TEXT, block BIGINT, member_id TEXT", Rollups.BLOCK_COLUMNS));

        final String perRow;
        final String unnested;
        final List<Type> types;
        final boolean reportsApplied;

        Statement(Sql sql) {
            this(sql, false);
        }

        Statement(Sql sql, boolean reportsApplied) {
            if (reportsApplied && sql.unnested() != null) throw new IllegalArgumentException(this + " reports which rows applied: it must run per row");
            this.perRow = sql.perRow();
            this.unnested = sql.unnested();
            this.types = sql.types();
            this.reportsApplied = reportsApplied;
        }
    }

    /**
     * A statement's two forms: one row's values as parameters; one array of values per column
     * (PostgreSQL; null: one statement per row there too).
     */
    record Sql(String perRow, String unnested, List<Type> types) {}

    /** Column definitions "name TYPE, ...": their names and their types. */
    private record Columns(List<String> names, List<Type> types) {
        static Columns of(String definitions) {
            List<String> names = new ArrayList<>();
            List<Type> types = new ArrayList<>();
            for (String d : definitions.split(",")) {
                String[] nameType = d.trim().split(" ");
                names.add(nameType[0]);
                types.add(Type.valueOf(nameType[1]));
            }
            return new Columns(names, types);
        }

        String list() { return String.join(", ", names); }

        String arrays() {
            StringBuilder b = new StringBuilder();
            for (Type t : types) b.append(b.isEmpty() ? "" : ", ").append("?::").append(t.postgres).append("[]");
            return b.toString();
        }

        String unnests() {
            StringBuilder b = new StringBuilder();
            for (Type t : types) b.append(b.isEmpty() ? "" : ", ").append("unnest(?::").append(t.postgres).append("[])");
            return b.toString();
        }
    }

    /**
     * PostgreSQL: INSERT of the columns from one array per column, unnested side by side in the
     * select list (PostgreSQL steps them together row by row), followed by {@code tail}. For the
     * thousands of events of an ingest batch it is cheaper than {@link #insert}'s {@code FROM
     * unnest(…)}, which first copies every row into a tuple store (PostgreSQL's CPU per event
     * −6 %); the upserts keep {@code FROM unnest(…)}: side by side, their few rows per reserve +
     * settle batch made it 10 % slower (BENCHMARKS.md, Ingest, seventh session).
     */
    static String insertSideBySide(String table, String columns, String tail) {
        Columns c = Columns.of(columns);
        return "INSERT INTO " + table + " (" + c.list() + ") SELECT " + c.unnests() + tail;
    }

    /** INSERT of the columns, followed by {@code tail} (an ON CONFLICT clause, or nothing). */
    static Sql insert(String table, String columns, String tail) {
        Columns c = Columns.of(columns);
        return new Sql("INSERT INTO " + table + " (" + c.list() + ") VALUES (" + Query.parameters(c.names().size()) + ")" + tail,
                "INSERT INTO " + table + " (" + c.list() + ") SELECT * FROM unnest(" + c.arrays() + ")" + tail, c.types());
    }

    /** INSERT of the keys and the measures (all BIGINT); a row already there adds them to its own. */
    static Sql adding(String table, String keys, List<String> measures) {
        Columns k = Columns.of(keys);
        StringBuilder set = new StringBuilder();
        for (String m : measures) set.append(set.isEmpty() ? "" : ", ").append(m).append(" = ").append(table).append('.').append(m).append(" + excluded.").append(m);
        StringBuilder columns = new StringBuilder(keys);
        for (String m : measures) columns.append(", ").append(m).append(" BIGINT");
        return insert(table, columns.toString(), " ON CONFLICT (" + k.list() + ") DO UPDATE SET " + set);
    }

    /**
     * UPDATE of the row whose {@code keys} (the last of the {@code columns}) match, setting the
     * other columns' values by {@code set} (their parameters in column order) where {@code condition}
     * holds (or always, null). One statement per row on PostgreSQL too (in the one round trip): a
     * join of the rows to the table would be planned from the table's statistics, and a young
     * table's (a fresh database) have the planner scan it whole instead of looking up each key.
     */
    static Sql update(String table, String columns, String set, String keys, String condition) {
        Columns c = Columns.of(columns);
        List<String> keyNames = Arrays.stream(keys.split(",")).map(String::trim).toList();
        if (!c.names().subList(c.names().size() - keyNames.size(), c.names().size()).equals(keyNames)) {
            throw new IllegalArgumentException("the keys must be the last columns: " + columns);
        }
        if (set.chars().filter(ch -> ch == '?').count() != c.names().size() - keyNames.size()) {
            throw new IllegalArgumentException("the SET must take each value once: " + set);
        }
        StringBuilder where = new StringBuilder();
        for (String k : keyNames) where.append(where.isEmpty() ? "" : " AND ").append(k).append(" = ?");
        return new Sql("UPDATE " + table + " SET " + set + " WHERE " + where + (condition == null ? "" : " AND " + condition), null, c.types());
    }

    private final Map<Statement, List<Object[]>> rows = new EnumMap<>(Statement.class);
    private final Map<Statement, boolean[]> applied = new EnumMap<>(Statement.class);
    private boolean written;

    /** Adds a row: one value per column of the statement (String for TEXT, Long for BIGINT, Boolean for BOOLEAN; null for NULL). */
    void add(Statement s, Object... values) {
        if (written) throw new IllegalStateException("these rows were written already");
        if (values.length != s.types.size()) {
            throw new IllegalArgumentException(s + " takes " + s.types.size() + " values, got " + values.length);
        }
        rows.computeIfAbsent(s, k -> new ArrayList<>()).add(values);
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    /** The rows of the statement added so far. */
    List<Object[]> rows(Statement s) {
        return rows.getOrDefault(s, List.of());
    }

    /**
     * For a statement that {@link Statement#reportsApplied}: whether each of its rows (in the order
     * added) changed a row, after {@link #write}.
     */
    boolean[] applied(Statement s) {
        if (!s.reportsApplied) throw new IllegalArgumentException(s + " does not report which rows applied");
        return applied.getOrDefault(s, new boolean[0]);
    }

    /** Writes every row added (once: the rows stay for {@link #rows} and {@link #applied}). */
    void write(Connection tx, boolean postgres) throws SQLException {
        if (written) throw new IllegalStateException("these rows were written already");
        written = true;
        if (!postgres) {
            for (Statement s : rows.keySet()) writeBatched(tx, s);
            return;
        }
        // In order, as few round trips as the rows allow: statements go together, except a
        // statement per row with more rows than a multi-statement query should carry.
        List<Statement> together = new ArrayList<>();
        for (var e : rows.entrySet()) {
            if (e.getKey().unnested == null && e.getValue().size() > PER_ROW_TOGETHER_MAX) {
                writeTogether(tx, together);
                together.clear();
                writeBatched(tx, e.getKey());
            } else {
                together.add(e.getKey());
            }
        }
        writeTogether(tx, together);
    }

    /**
     * Rows of a statement run per row that go in the multi-statement query; above this, the
     * statement is a JDBC batch of its own: one round trip more, but PostgreSQL parses it once
     * instead of once per row, and the driver does not cache a query text per number of rows.
     */
    static final int PER_ROW_TOGETHER_MAX = 64;

    /** The statement's rows as one JDBC batch: one statement step per row (SQLite), pipelined (PostgreSQL). */
    private void writeBatched(Connection tx, Statement s) throws SQLException {
        try (PreparedStatement ps = tx.prepareStatement(s.perRow)) {
            for (Object[] row : rows.get(s)) {
                for (int i = 0; i < row.length; i++) bind(ps, i + 1, s.types.get(i), row[i]);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            if (s.reportsApplied) {
                boolean[] out = new boolean[counts.length];
                for (int i = 0; i < counts.length; i++) out[i] = counts[i] > 0;
                applied.put(s, out);
            }
        }
    }

    /** Binds one value of the type (String, Long or Boolean; null for NULL). */
    static void bind(PreparedStatement ps, int i, Type type, Object value) throws SQLException {
        switch (type) {
            case TEXT -> ps.setString(i, (String) value);
            case BIGINT -> {
                if (value == null) ps.setNull(i, Types.BIGINT);
                else ps.setLong(i, (Long) value);
            }
            case BOOLEAN -> {
                if (value == null) ps.setNull(i, Types.BOOLEAN);
                else ps.setBoolean(i, (Boolean) value);
            }
        }
    }

    /**
     * The statements in one round trip, as one multi-statement query: each statement by keys once
     * per row; each run of unnested statements (inserts and upserts, one after another) as one
     * statement, all but its last as data-modifying {@code WITH} queries, with their arrays — one
     * statement instead of several for PostgreSQL to take in (they write different tables, so the
     * snapshot they share changes nothing).
     */
    private void writeTogether(Connection tx, List<Statement> statements) throws SQLException {
        if (statements.isEmpty()) return;
        List<List<Statement>> parts = new ArrayList<>(); // each a run of unnested statements, or one statement by keys
        for (Statement s : statements) {
            if (s.unnested != null && !parts.isEmpty() && parts.getLast().getFirst().unnested != null) parts.getLast().add(s);
            else parts.add(new ArrayList<>(List.of(s)));
        }
        StringBuilder sql = new StringBuilder();
        for (List<Statement> part : parts) {
            Statement s = part.getFirst();
            if (s.unnested == null) {
                for (int i = rows.get(s).size(); i > 0; i--) sql.append(sql.isEmpty() ? "" : ";\n").append(s.perRow);
                continue;
            }
            sql.append(sql.isEmpty() ? "" : ";\n");
            for (int k = 0; k < part.size() - 1; k++) sql.append(k == 0 ? "WITH " : ", ").append('w').append(k).append(" AS (").append(part.get(k).unnested).append(")\n");
            sql.append(part.getLast().unnested);
        }
        try (PreparedStatement ps = tx.prepareStatement(sql.toString())) {
            int p = 1;
            for (Statement s : statements) {
                List<Object[]> r = rows.get(s);
                if (s.unnested == null) {
                    for (Object[] row : r) {
                        for (int col = 0; col < row.length; col++) bind(ps, p++, s.types.get(col), row[col]);
                    }
                    continue;
                }
                for (int col = 0; col < s.types.size(); col++) {
                    int column = col;
                    bindArray(ps, p++, s.types.get(col), r.size(), row -> r.get(row)[column]);
                }
            }
            ps.execute();
            boolean first = true;
            for (List<Statement> part : parts) {
                Statement s = part.getFirst();
                int results = s.unnested == null ? rows.get(s).size() : 1;
                boolean[] out = new boolean[results];
                for (int i = 0; i < results; i++) {
                    if (!first) ps.getMoreResults();
                    first = false;
                    out[i] = ps.getUpdateCount() > 0;
                }
                if (s.reportsApplied) applied.put(s, out);
            }
        }
    }
}
