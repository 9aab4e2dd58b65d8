package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement that gives rows back, with its parameters and how its rows are read: run alone, or
 * with others in one round trip on PostgreSQL ({@link #runAll}).
 */
record Query<T>(String sql, Binder binder, Reader<T> reader) {
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

    /**
     * Runs the queries in order and returns what each read: on PostgreSQL as one multi-statement
     * query (one round trip), on SQLite one after another.
     */
    static List<Object> runAll(Connection c, boolean postgres, List<Query<?>> queries) throws SQLException {
        List<Object> out = new ArrayList<>(queries.size());
        if (!postgres || queries.size() == 1) {
            for (Query<?> q : queries) out.add(q.run(c));
            return out;
        }
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
