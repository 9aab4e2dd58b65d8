package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A statement that gives rows back, with its parameters and how its rows are read: run alone, or
 * with others in one round trip on PostgreSQL ({@link #runAll}; SQLite's driver takes one statement at a time).
 */
record Query<T>(String sql, Binder binder, Reader<T> reader) {
    /** Bound on the number of ids in one IN (...) list. */
    static final int IN_LIST_MAX = 500;

    /** {@code n} parameters, for an IN (...) list or a row of VALUES: "?,?,…,?". */
    static String parameters(int n) {
        return "?,".repeat(n - 1) + "?";
    }

    /** The ids in lists of at most {@link #IN_LIST_MAX}, each for one IN (...) list. */
    static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<List<String>> out = new ArrayList<>();
        for (int from = 0; from < all.size(); from += IN_LIST_MAX) out.add(all.subList(from, Math.min(all.size(), from + IN_LIST_MAX)));
        return out;
    }

    /** Binds the parameters from position {@code first} on; returns the position after the last. */
    interface Binder {
        int bind(PreparedStatement ps, int first) throws SQLException;
    }

    interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    T run(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps, 1);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        }
    }

    /** Runs the queries in order, as one multi-statement query (PostgreSQL: one round trip), and returns what each read. */
    static List<Object> runAll(Connection c, List<Query<?>> queries) throws SQLException {
        List<Object> out = new ArrayList<>(queries.size());
        StringBuilder sql = new StringBuilder();
        for (Query<?> q : queries) sql.append(sql.isEmpty() ? "" : ";\n").append(q.sql());
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (Query<?> q : queries) p = q.binder().bind(ps, p);
            boolean rows = ps.execute();
            for (int i = 0; i < queries.size(); i++) {
                if (i > 0) rows = ps.getMoreResults();
                if (!rows) throw new IllegalStateException("statement " + (i + 1) + " of " + queries.size() + " gave no rows: " + queries.get(i).sql());
                try (ResultSet rs = ps.getResultSet()) {
                    out.add(queries.get(i).reader().read(rs));
                }
            }
        }
        return out;
    }
}
