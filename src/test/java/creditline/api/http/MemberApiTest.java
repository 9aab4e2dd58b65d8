package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Members (users and service accounts) and API keys of an org. */
class MemberApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "mem-plan", "100", "block");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String memberPath(String orgId, String memberId) {
        return "/v1/orgs/" + orgId + "/members/" + enc(memberId);
    }

    // ---- members ----

    @Test
    void putUserMember() {
        org(server, "mem-user", "mem-plan");
        TestServer.Response r = server.put(memberPath("mem-user", "ada@acme.example"), OP, "{\"role\": \"admin\"}");
        assertStatus(r, 200);
        JsonNode m = r.json();
        assertThat(m.path("memberId").asText()).isEqualTo("ada@acme.example");
        assertThat(m.path("role").asText()).isEqualTo("admin");
        assertThat(m.path("type").asText()).isEqualTo("user");
        assertThat(m.path("createdAt").asText()).isEqualTo(TestServer.START.toString());
        assertThat(server.op("GET", memberPath("mem-user", "ada@acme.example"), null)).isEqualTo(m);
    }

    @Test
    void putServiceAccountWithAnEncodedSpace() {
        org(server, "mem-sa", "mem-plan");
        TestServer.Response r = server.put("/v1/orgs/mem-sa/members/SA%20ci-bot", OP, "{\"role\": \"member\", \"type\": \"service_account\"}");
        assertStatus(r, 200);
        JsonNode m = r.json();
        assertThat(m.path("memberId").asText()).isEqualTo("SA ci-bot");
        assertThat(m.path("type").asText()).isEqualTo("service_account");
        assertThat(m.path("role").asText()).isEqualTo("member");
        assertThat(server.op("GET", "/v1/orgs/mem-sa/members/SA%20ci-bot", null)).isEqualTo(m);

        // The type follows from the id when omitted; the role defaults to member.
        JsonNode implied = server.op("PUT", "/v1/orgs/mem-sa/members/SA%20nightly-eval", "{}");
        assertThat(implied.path("type").asText()).isEqualTo("service_account");
        assertThat(implied.path("role").asText()).isEqualTo("member");
    }

    @Test
    void putAgainUpdatesTheRole() {
        org(server, "mem-upsert", "mem-plan");
        member(server, "mem-upsert", "bob@acme.example", "member");
        JsonNode m = server.op("PUT", memberPath("mem-upsert", "bob@acme.example"), "{\"role\": \"admin\"}");
        assertThat(m.path("role").asText()).isEqualTo("admin");
        assertThat(server.op("GET", "/v1/orgs/mem-upsert/members", null).path("members")).hasSize(1);
    }

    @Test
    void invalidMemberIdsAre400() {
        org(server, "mem-invalid", "mem-plan");
        for (String bad : List.of("not-an-email", "@acme.example", "ada@", "a@b@c", "ada smith@acme.example", "SA ", " ada@acme.example",
                "x".repeat(310) + "@acme.example")) {
            assertFieldError(server.put(memberPath("mem-invalid", bad), OP, "{\"role\": \"member\"}"), 400, "VALIDATION_ERROR", "memberId");
        }
        assertThat(server.op("GET", "/v1/orgs/mem-invalid/members", null).path("members")).isEmpty();
    }

    @Test
    void typeMismatchAndBadValuesAre400() {
        org(server, "mem-mismatch", "mem-plan");
        assertFieldError(server.put(memberPath("mem-mismatch", "ada@acme.example"), OP, "{\"type\": \"service_account\"}"),
                400, "VALIDATION_ERROR", "type");
        assertFieldError(server.put("/v1/orgs/mem-mismatch/members/SA%20ci-bot", OP, "{\"type\": \"user\"}"),
                400, "VALIDATION_ERROR", "type");
        assertFieldError(server.put(memberPath("mem-mismatch", "ada@acme.example"), OP, "{\"type\": \"robot\"}"),
                400, "VALIDATION_ERROR", "type");
        assertFieldError(server.put(memberPath("mem-mismatch", "ada@acme.example"), OP, "{\"role\": \"owner\"}"),
                400, "VALIDATION_ERROR", "role");
        assertFieldError(server.put(memberPath("mem-mismatch", "ada@acme.example"), OP, "{\"role\": \"member\", \"budget\": 5}"),
                400, "UNKNOWN_FIELD", "budget");
        assertError(server.put(memberPath("mem-mismatch", "ada@acme.example"), OP, "{"), 400, "MALFORMED_JSON");
        assertThat(server.op("GET", "/v1/orgs/mem-mismatch/members", null).path("members")).isEmpty();
    }

    @Test
    void memberOfAnUnknownOrgIs404ForTheOperator() {
        assertError(server.put(memberPath("mem-ghost-org", "ada@acme.example"), OP, "{}"), 404, "ORG_NOT_FOUND");
    }

    @Test
    void listGetAndDelete() {
        org(server, "mem-list", "mem-plan");
        member(server, "mem-list", "zoe@acme.example", "member");
        member(server, "mem-list", "ada@acme.example", "admin");
        member(server, "mem-list", "SA ci-bot", "member");

        JsonNode members = server.op("GET", "/v1/orgs/mem-list/members", null).path("members");
        List<String> ids = new ArrayList<>();
        members.forEach(m -> ids.add(m.path("memberId").asText()));
        assertThat(ids).containsExactlyInAnyOrder("zoe@acme.example", "ada@acme.example", "SA ci-bot");
        for (JsonNode m : members) {
            assertThat(m.path("type").asText()).isEqualTo(m.path("memberId").asText().startsWith("SA ") ? "service_account" : "user");
        }

        TestServer.Response del = server.delete("/v1/orgs/mem-list/members/SA%20ci-bot", OP);
        assertStatus(del, 204);
        assertThat(del.body()).isEmpty();
        assertError(server.get("/v1/orgs/mem-list/members/SA%20ci-bot", OP), 404, "MEMBER_NOT_FOUND");
        assertError(server.delete("/v1/orgs/mem-list/members/SA%20ci-bot", OP), 404, "MEMBER_NOT_FOUND");
        assertThat(server.op("GET", "/v1/orgs/mem-list/members", null).path("members")).hasSize(2);
        assertError(server.get(memberPath("mem-list", "nobody@acme.example"), OP), 404, "MEMBER_NOT_FOUND");
    }

    @Test
    void anAdminKeyManagesMembersOfItsOrg() {
        org(server, "mem-admin", "mem-plan");
        String admin = key(server, "mem-admin", "admin", null);
        assertStatus(server.put(memberPath("mem-admin", "new@acme.example"), admin, "{\"role\": \"member\"}"), 200);
        assertThat(server.get("/v1/orgs/mem-admin/members", admin).json().path("members")).hasSize(1);
        assertStatus(server.delete(memberPath("mem-admin", "new@acme.example"), admin), 204);
    }

    // ---- keys ----

    @Test
    void createAdminKeyShowsTheSecretOnce() {
        org(server, "mem-keys", "mem-plan");
        TestServer.Response r = server.post("/v1/orgs/mem-keys/keys", OP, "{\"role\": \"admin\"}");
        assertStatus(r, 201);
        JsonNode k = r.json();
        assertThat(k.path("id").asText()).isNotBlank();
        assertThat(k.path("key").asText()).isNotBlank().contains(k.path("id").asText());
        assertThat(k.path("role").asText()).isEqualTo("admin");
        assertThat(k.path("orgId").asText()).isEqualTo("mem-keys");
        assertThat(k.path("memberId").isNull()).isTrue();
        String secret = k.path("key").asText();
        assertStatus(server.get("/v1/orgs/mem-keys", secret), 200);
        // A second key is a different secret.
        assertThat(key(server, "mem-keys", "admin", null)).isNotEqualTo(secret);
    }

    @Test
    void createMemberKeyForAMember() {
        org(server, "mem-mkey", "mem-plan");
        member(server, "mem-mkey", "SA ci-bot", "member");
        TestServer.Response r = server.post("/v1/orgs/mem-mkey/keys", OP, "{\"role\": \"member\", \"memberId\": \"SA ci-bot\"}");
        assertStatus(r, 201);
        JsonNode k = r.json();
        assertThat(k.path("role").asText()).isEqualTo("member");
        assertThat(k.path("memberId").asText()).isEqualTo("SA ci-bot");
        String secret = k.path("key").asText();
        assertStatus(server.get("/v1/models", secret), 200);
        assertError(server.get("/v1/orgs/mem-mkey", secret), 403, "FORBIDDEN");
    }

    @Test
    void badKeyRequestsAre4xx() {
        org(server, "mem-badkey", "mem-plan");
        String path = "/v1/orgs/mem-badkey/keys";
        assertFieldError(server.post(path, OP, "{\"role\": \"member\"}"), 400, "MISSING_FIELD", "memberId");
        assertError(server.post(path, OP, "{\"role\": \"member\", \"memberId\": \"ghost@acme.example\"}"), 404, "MEMBER_NOT_FOUND");
        assertFieldError(server.post(path, OP, "{\"role\": \"operator\"}"), 400, "VALIDATION_ERROR", "role");
        assertFieldError(server.post(path, OP, "{}"), 400, "MISSING_FIELD", "role");
        assertFieldError(server.post(path, OP, "{\"role\": \"admin\", \"scopes\": []}"), 400, "UNKNOWN_FIELD", "scopes");
        assertError(server.post(path, OP, "role=admin"), 400, "MALFORMED_JSON");
    }

    @Test
    void deleteKeyIs204ThenTheKeyIs401() {
        org(server, "mem-delkey", "mem-plan");
        member(server, "mem-delkey", "dev@acme.example", "member");
        JsonNode admin = server.op("POST", "/v1/orgs/mem-delkey/keys", "{\"role\": \"admin\"}");
        JsonNode memberKey = server.op("POST", "/v1/orgs/mem-delkey/keys", "{\"role\": \"member\", \"memberId\": \"dev@acme.example\"}");
        assertStatus(server.get("/v1/models", memberKey.path("key").asText()), 200);

        TestServer.Response del = server.delete("/v1/orgs/mem-delkey/keys/" + memberKey.path("id").asText(), admin.path("key").asText());
        assertStatus(del, 204);
        assertThat(del.body()).isEmpty();
        assertError(server.get("/v1/models", memberKey.path("key").asText()), 401, "UNAUTHENTICATED");
        assertError(server.delete("/v1/orgs/mem-delkey/keys/" + memberKey.path("id").asText(), OP), 404, "KEY_NOT_FOUND");
        // The other key is untouched.
        assertStatus(server.get("/v1/orgs/mem-delkey", admin.path("key").asText()), 200);
    }

    @Test
    void deletingAMemberRevokesItsKeys() {
        org(server, "mem-revoke", "mem-plan");
        member(server, "mem-revoke", "leaver@acme.example", "admin");
        String secret = key(server, "mem-revoke", "member", "leaver@acme.example");
        String adminOfLeaver = key(server, "mem-revoke", "admin", "leaver@acme.example");
        assertStatus(server.get("/v1/models", secret), 200);
        assertStatus(server.delete(memberPath("mem-revoke", "leaver@acme.example"), OP), 204);
        assertError(server.get("/v1/models", secret), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/orgs/mem-revoke", adminOfLeaver), 401, "UNAUTHENTICATED");
    }
}
