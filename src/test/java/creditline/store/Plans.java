package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/** The plan a database makes for a statement, as text, for tests that check which index a statement takes. */
final class Plans {
    private Plans() {}

    /** PostgreSQL's {@code EXPLAIN}, or SQLite's {@code EXPLAIN QUERY PLAN}, of the statement with these parameters. */
    static String of(Connection c, boolean postgres, String sql, Object... parameters) throws Exception {
        StringBuilder out = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement((postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + sql)) {
            for (int i = 0; i < parameters.length; i++) ps.setObject(i + 1, parameters[i]);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) out.append(rs.getString(postgres ? 1 : 4)).append('\n');
            }
        }
        return out.toString();
    }
}
