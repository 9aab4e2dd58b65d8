package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.testing.Databases;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqliteStoreTest extends StoreContract {
    @Override
    String freshDatabase() {
        return Databases.freshSqlite();
    }

    /**
     * SQLite inserts events with {@code INSERT OR IGNORE}, which skips a row refused by anything,
     * not only by its key: an event skipped for another reason (here a trigger) must fail its
     * post, not pass for a duplicate; nothing of the post is stored.
     */
    @Test
    void anEventSkippedForAReasonOtherThanItsKeyFailsThePost() throws Exception {
        org("o", "pro");
        long before = balance("o");
        try (Connection c = store.database().readers().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TRIGGER skip_boom BEFORE INSERT ON usage_events WHEN NEW.event_id = 'boom' BEGIN SELECT RAISE(IGNORE); END");
        }
        assertThatThrownBy(() -> store.ingest(List.of(event("fine", "o", "a@x.io", "sonnet", NOW, 1_000, 10),
                event("boom", "o", "a@x.io", "sonnet", NOW, 1_000, 10))))
                .hasMessageContaining("event boom of org o was not stored");
        assertThat(balance("o")).isEqualTo(before);
        try (Connection c = store.database().readers().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM usage_events WHERE org_id = 'o'")) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
    }
}
