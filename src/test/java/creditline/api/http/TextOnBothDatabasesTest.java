package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.Databases;
import creditline.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Text the API takes is kept, ordered and searched the same way on SQLite and on PostgreSQL,
 * whatever collation the PostgreSQL database was created with: no NUL or unpaired surrogate gets
 * in (PostgreSQL refused the NUL with a 500, losing the batch's good events; both drivers turned
 * a lone surrogate into '?'), ids sort in code point order, search folds A-Z only.
 */
class TextOnBothDatabasesTest {
    private static final String[] MEMBERS = {"abc@t.example", "Bob@t.example", "SA ci-bot", "SA CI-Bot", "ÄBC@t.example", "Élodie@t.example",
            "élodie@t.example", "=formula@t.example", "1num@t.example"};

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres", "postgres-linguistic"})
    void textIsKeptOrderedAndSearchedAlike(String database) {
        String db = Databases.fresh(database);
        try (TestServer s = new TestServer(db)) {
            plan(s, "txt-plan", "1000", "allow");
            s.op("PUT", "/v1/models/txt-unit", "{\"effectiveFrom\": \"2026-01-01T00:00:00Z\", \"rates\": {\"creditPerRequest\": \"1\"}}");
            org(s, "txt", "txt-plan");
            for (String m : MEMBERS) member(s, "txt", m, "member");

            // A batch with a NUL or a lone surrogate in one event: that event is refused, the others recorded.
            TestServer.Response r = s.post("/v1/usage", OP, "{\"events\": [" + event("good-1", "") + ", " + event("nul", ", \"agent\": \"a\\u0000b\"")
                    + ", " + event("lone\\ud800", "") + ", " + event("meta", ", \"metadata\": {\"k\": \"\\udc00\"}") + ", " + event("good-2", "") + "]}");
            assertStatus(r, 200);
            List<String> statuses = new ArrayList<>();
            for (JsonNode e : r.json().path("events")) statuses.add(e.path("status").asText() + ":" + e.path("error").path("code").asText());
            assertThat(statuses).containsExactly("accepted:", "rejected:VALIDATION_ERROR", "rejected:VALIDATION_ERROR", "rejected:VALIDATION_ERROR",
                    "accepted:");
            assertFieldError(s.post("/v1/orgs/txt/grants", OP, "{\"credits\": \"1\", \"reason\": \"a\\u0000b\"}"), 400, "VALIDATION_ERROR", "reason");
            assertFieldError(s.post("/v1/orgs/txt/grants", OP, "{\"credits\": \"5\\u0000\"}"), 400, "VALIDATION_ERROR", "credits");
            assertStatus(s.post("/v1/orgs/txt/grants", OP, "{\"credits\": \" 5 \"}"), 201);
            assertFieldError(s.call("PUT", "/v1/plans/txt-2", OP, "{\"name\": \"x\", \"creditsIncluded\": \"1\", \"features\": [\"\\ud800\"]}"), 400,
                    "VALIDATION_ERROR", "features");

            // Code point order, as SQLite's BINARY: "1" < "=" < "A-Z" < "a-z" < "Ä" < "É" < "é".
            List<String> sorted = new ArrayList<>();
            for (JsonNode m : s.op("GET", "/v1/orgs/txt/members", null).path("members")) sorted.add(m.path("memberId").asText());
            assertThat(sorted).containsExactly("1num@t.example", "=formula@t.example", "Bob@t.example", "SA CI-Bot", "SA ci-bot", "abc@t.example",
                    "ÄBC@t.example", "Élodie@t.example", "élodie@t.example");
            assertThat(search(s, "", "desc", 2, 2)).containsExactly("ÄBC@t.example", "abc@t.example");

            // Search folds A-Z only: an id's own text always finds it; other letters match as they are.
            assertThat(search(s, "Élodie", "asc", 1, 50)).containsExactly("Élodie@t.example");
            assertThat(search(s, "élodie", "asc", 1, 50)).containsExactly("élodie@t.example");
            assertThat(search(s, "Ä", "asc", 1, 50)).containsExactly("ÄBC@t.example");
            assertThat(search(s, "ä", "asc", 1, 50)).isEmpty();
            assertThat(search(s, "sa ci", "asc", 1, 50)).containsExactly("SA CI-Bot", "SA ci-bot");
        } finally {
            Databases.drop(db);
        }
    }

    private static String event(String id, String more) {
        return "{\"id\": \"" + id + "\", \"orgId\": \"txt\", \"memberId\": \"abc@t.example\", \"model\": \"txt-unit\", \"activity\": \"chat\"" + more + "}";
    }

    private static List<String> search(TestServer s, String text, String order, int page, int pageSize) {
        String query = "/v1/orgs/txt/usage/members?from=2026-11-01&to=2026-12-01&sort=member&order=" + order + "&page=" + page + "&pageSize=" + pageSize
                + (text.isEmpty() ? "" : "&search=" + enc(text));
        List<String> ids = new ArrayList<>();
        for (JsonNode row : s.op("GET", query, null).path("rows")) ids.add(row.path("memberId").asText());
        return ids;
    }
}
