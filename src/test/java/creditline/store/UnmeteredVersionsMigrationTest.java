package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * V12 on a database that already holds models: each rate version takes the unmetered flag its
 * model had (what pricing used until then), so no event is priced differently after the
 * migration, on SQLite and on PostgreSQL; the flag no longer lives on the model.
 */
class UnmeteredVersionsMigrationTest {
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00Z");

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void v12GivesEveryVersionItsModelsFlag(String kind) throws Exception {
        String location = Databases.fresh(kind);
        try {
            String url = MigrationTests.migratedUpTo(location, "11");
            try (Connection c = DriverManager.getConnection(url)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO models (model_id, name, provider, unmetered, updated_at_micros) VALUES (?, ?, 'p', ?, 0)")) {
                    for (Object[] m : new Object[][] {{"local", true}, {"sonnet", false}}) {
                        ps.setString(1, (String) m[0]);
                        ps.setString(2, (String) m[0]);
                        ps.setBoolean(3, (Boolean) m[1]);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO rate_versions (model_id, version, effective_from_micros, per_request_micros, created_at_micros) VALUES (?, ?, ?, 1000000, 0)")) {
                    for (Object[] v : new Object[][] {{"local", 1}, {"local", 2}, {"sonnet", 1}}) {
                        ps.setString(1, (String) v[0]);
                        ps.setInt(2, (Integer) v[1]);
                        ps.setLong(3, Times.micros(NOW) * ((Integer) v[1] - 1));
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
            try (Database db = Database.open(location); Connection c = db.readers().getConnection()) {
                Map<String, Model> models = new Catalog().models(c, List.of("local", "sonnet"));
                assertThat(models.get("local").versions()).extracting(RateVersion::unmetered).containsExactly(true, true);
                assertThat(models.get("sonnet").versions()).extracting(RateVersion::unmetered).containsExactly(false);
                try (var rs = c.getMetaData().getColumns(null, null, "models", "unmetered")) {
                    assertThat(rs.next()).as("models.unmetered is dropped").isFalse();
                }
            }
        } finally {
            Databases.drop(location);
        }
    }
}
