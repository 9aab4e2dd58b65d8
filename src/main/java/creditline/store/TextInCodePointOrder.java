package creditline.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * V13: on PostgreSQL, every text column gets the "C" collation, so ids sort, compare and fold
 * case (LOWER folds only A-Z) in code point order whatever collation the database was created
 * with — as SQLite's BINARY does. Before, a database created with a linguistic collation (such
 * as en_US.UTF-8, the default of many installations) listed members, models and plans in
 * another order than SQLite, paged the member table differently, and its member search folded
 * non-ASCII letters. Nothing to do on SQLite. A text column added by a later migration needs
 * {@code COLLATE "C"} on PostgreSQL as well (a placeholder that is empty on SQLite).
 */
final class TextInCodePointOrder implements JavaMigration {
    private static final String NOT_C = """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema() AND data_type = 'text' AND table_name <> 'flyway_schema_history'
              AND collation_name IS DISTINCT FROM 'C'
            ORDER BY table_name, ordinal_position""";

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("13");
    }

    @Override
    public String getDescription() {
        return "text in code point order";
    }

    @Override
    public Integer getChecksum() {
        return 13;
    }

    @Override
    public boolean canExecuteInTransaction() {
        return true;
    }

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        if (!c.getMetaData().getDatabaseProductName().equals("PostgreSQL")) return;
        Map<String, List<String>> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(NOT_C); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) columns.computeIfAbsent(rs.getString(1), t -> new ArrayList<>()).add(rs.getString(2));
        }
        try (Statement s = c.createStatement()) {
            // One statement a table, so each of its indexes is rebuilt once.
            for (var table : columns.entrySet()) {
                List<String> alters = table.getValue().stream().map(col -> "ALTER COLUMN \"" + col + "\" TYPE text COLLATE \"C\"").toList();
                s.execute("ALTER TABLE \"" + table.getKey() + "\" " + String.join(", ", alters));
            }
        }
    }
}
