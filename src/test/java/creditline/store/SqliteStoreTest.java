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
        assertThat(eventRows("o")).isZero();
    }

    /**
     * When a statement skipped a duplicate, the rows it inserted are found as the table's newest:
     * should another row ever be newer (here a trigger's copy), the post fails rather than leave
     * an inserted event uncharged; nothing of it is stored.
     */
    @Test
    void aPostFailsWhenTheNewestRowsAreNotTheOnesItInserted() throws Exception {
        org("o", "pro");
        store.ingest(List.of(event("old", "o", "a@x.io", "sonnet", NOW, 1_000, 10)));
        long before = balance("o");
        try (Connection c = store.database().readers().getConnection(); Statement st = c.createStatement()) {
            st.execute("""
                    CREATE TRIGGER shadow_new AFTER INSERT ON usage_events WHEN NEW.event_id = 'new' BEGIN
                      INSERT INTO usage_events (org_id, event_id, member_id, model_id, activity, occurred_at_micros, received_at_micros,
                        input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, tool_calls, charged_micros, nominal_micros)
                      VALUES (NEW.org_id, 'shadow', NEW.member_id, NEW.model_id, NEW.activity, NEW.occurred_at_micros, NEW.received_at_micros,
                        0, 0, 0, 0, 0, 0, 0);
                    END""");
        }
        assertThatThrownBy(() -> store.ingest(List.of(event("old", "o", "a@x.io", "sonnet", NOW, 1_000, 10),
                event("new", "o", "a@x.io", "sonnet", NOW, 1_000, 10))))
                .hasMessageContaining("the newest event rows are not the ones this statement inserted");
        assertThat(balance("o")).isEqualTo(before);
        assertThat(eventRows("o")).isEqualTo(1);
    }

    private long eventRows(String orgId) throws Exception {
        try (Connection c = store.database().readers().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usage_events WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
