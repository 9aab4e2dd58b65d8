package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.enc;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.model;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.raw;
import static creditline.api.http.ApiTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.TestServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 401 for missing or unknown keys, 403 for valid keys outside their org or role, no existence leaks. */
class AuthApiTest {
    private static TestServer server;
    private static String adminA;
    private static String memberA;
    private static String adminB;

    /** Every org-scoped endpoint an org admin may call, as (method, path after /v1/orgs/{org}, body). */
    private record Call(String method, String suffix, String body) {}

    /** An operator-only call: (method, full path, body). */
    private record OperatorCall(String method, String path, String body) {}

    private static final List<Call> ADMIN_CALLS = List.of(
            new Call("GET", "", null),
            new Call("GET", "/subscription", null),
            new Call("GET", "/subscription/changes", null),
            new Call("GET", "/balance", null),
            new Call("GET", "/members", null),
            new Call("PUT", "/members/" + enc("eve@example.com"), "{\"role\": \"member\"}"),
            new Call("GET", "/members/" + enc("eve@example.com"), null),
            new Call("DELETE", "/members/" + enc("eve@example.com"), null),
            new Call("POST", "/keys", "{\"role\": \"admin\"}"),
            new Call("DELETE", "/keys/0123456789ab", null));

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        plan(server, "auth-plan", "100", "block");
        model(server, "auth-model", "1", "2", "1", "0.5");
        org(server, "auth-a", "auth-plan");
        org(server, "auth-b", "auth-plan");
        member(server, "auth-a", "alice@a.example", "member");
        adminA = key(server, "auth-a", "admin", null);
        memberA = key(server, "auth-a", "member", "alice@a.example");
        adminB = key(server, "auth-b", "admin", null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void missingAuthorizationHeaderIs401WithChallenge() {
        TestServer.Response r = server.get("/v1/models", null);
        assertError(r, 401, "UNAUTHENTICATED");
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
    }

    @Test
    void otherSchemesAndEmptyKeysAre401() {
        for (String header : List.of("Basic dGVzdDp0ZXN0", OP, "Token " + OP, "Bearer", "Bearer ", "Bearer    ")) {
            TestServer.Response r = raw(server, "GET", "/v1/models", header);
            assertError(r, 401, "UNAUTHENTICATED");
            assertThat(r.headers().firstValue("WWW-Authenticate")).as(header).hasValue("Bearer");
        }
    }

    @Test
    void twoAuthorizationHeadersAre401WhateverTheyHold() {
        TestServer.Response r = send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.url("/v1/orgs/auth-a")))
                .header("Authorization", "Bearer " + adminB).header("Authorization", "Bearer " + OP).GET().build());
        assertError(r, 401, "UNAUTHENTICATED");
        assertThat(r.json().path("error").path("message").asText()).contains("one Authorization header");
    }

    @Test
    void schemeNameIsCaseInsensitive() {
        assertStatus(raw(server, "GET", "/v1/models", "bearer " + OP), 200);
        assertStatus(raw(server, "GET", "/v1/models", "BEARER " + adminA), 200);
    }

    @Test
    void unknownKeysAre401() {
        for (String k : List.of("cl_000000000000_notarealsecret", OP + "x", "x".repeat(201))) {
            TestServer.Response r = server.get("/v1/models", k);
            assertError(r, 401, "UNAUTHENTICATED");
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
    }

    @Test
    void authenticationIsCheckedBeforeTheBodyOrTheTarget() {
        assertError(server.post("/v1/usage", null, "not json"), 401, "UNAUTHENTICATED");
        assertError(server.put("/v1/models/auth-model", "bogus", "{"), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/orgs/no-such-org", null), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/orgs/no-such-org/balance", "bogus"), 401, "UNAUTHENTICATED");
    }

    @Test
    void adminKeyActsOnItsOwnOrg() {
        for (Call c : ADMIN_CALLS) {
            if (c.method().equals("DELETE")) continue;
            TestServer.Response r = server.call(c.method(), "/v1/orgs/auth-a" + c.suffix(), adminA, c.body());
            assertThat(r.status()).as("%s %s -> %s", c.method(), c.suffix(), r.body()).isBetween(200, 201);
        }
    }

    @Test
    void adminKeyOfAnotherOrgIs403WhetherOrNotTheOrgExists() {
        for (String target : List.of("auth-b", "no-such-org")) {
            for (Call c : ADMIN_CALLS) {
                TestServer.Response r = server.call(c.method(), "/v1/orgs/" + target + c.suffix(), adminA, c.body());
                assertError(r, 403, "FORBIDDEN");
            }
        }
        // B's admin is equally refused on A: the answer never depends on which org exists.
        assertError(server.get("/v1/orgs/auth-a", adminB), 403, "FORBIDDEN");
        assertThat(server.get("/v1/orgs/auth-b", adminA).body().replace("auth-b", "X"))
                .isEqualTo(server.get("/v1/orgs/no-such-org", adminA).body().replace("no-such-org", "X"));
    }

    @Test
    void memberKeyIsForbiddenOnOrgEndpointsEvenOfItsOwnOrg() {
        for (Call c : ADMIN_CALLS) {
            assertError(server.call(c.method(), "/v1/orgs/auth-a" + c.suffix(), memberA, c.body()), 403, "FORBIDDEN");
        }
    }

    @Test
    void nonOperatorKeysAreForbiddenOnOperatorOnlyEndpoints() {
        List<OperatorCall> operatorOnly = List.of(
                new OperatorCall("PUT", "/v1/models/auth-model", "{\"rates\": {\"creditInputPer1M\": \"0\"}}"),
                new OperatorCall("PUT", "/v1/plans/auth-plan", "{\"name\": \"x\", \"creditsIncluded\": \"0\"}"),
                new OperatorCall("POST", "/v1/orgs", "{\"id\": \"auth-new\", \"planId\": \"auth-plan\"}"),
                new OperatorCall("POST", "/v1/orgs/auth-a/grants", "{\"credits\": \"1000\"}"),
                new OperatorCall("PUT", "/v1/orgs/auth-a/subscription", "{\"planId\": \"auth-plan\"}"),
                new OperatorCall("POST", "/v1/usage", """
                        {"id": "auth-e1", "orgId": "auth-a", "memberId": "alice@a.example", "model": "auth-model", "activity": "chat",
                         "tokens": {"input": 1000000}}"""));
        for (String k : List.of(adminA, memberA)) {
            for (OperatorCall c : operatorOnly) {
                assertError(server.call(c.method(), c.path(), k, c.body()), 403, "FORBIDDEN");
            }
        }
        // Nothing was changed by the refused calls.
        assertError(server.get("/v1/orgs/auth-new", OP), 404, "ORG_NOT_FOUND");
        assertThat(server.op("GET", "/v1/orgs/auth-a/balance", null).path("credits").asText()).isEqualTo("100.00");
        assertThat(server.op("GET", "/v1/models/auth-model", null).path("rates").path("creditInputPer1M").asText()).isEqualTo("1.00");
    }

    @Test
    void anyValidKeyReadsTheCatalog() {
        for (String k : List.of(OP, adminA, memberA, adminB)) {
            assertStatus(server.get("/v1/models", k), 200);
            assertStatus(server.get("/v1/models/auth-model", k), 200);
            assertStatus(server.get("/v1/models/auth-model/rates", k), 200);
            assertStatus(server.get("/v1/plans", k), 200);
            assertStatus(server.get("/v1/plans/auth-plan", k), 200);
        }
    }

    @Test
    void deletedKeyIs401Afterwards() {
        var created = server.op("POST", "/v1/orgs/auth-a/keys", "{\"role\": \"admin\"}");
        String secret = created.path("key").asText();
        assertStatus(server.get("/v1/orgs/auth-a", secret), 200);
        assertStatus(server.delete("/v1/orgs/auth-a/keys/" + created.path("id").asText(), adminA), 204);
        assertError(server.get("/v1/orgs/auth-a", secret), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/models", secret), 401, "UNAUTHENTICATED");
    }

    @Test
    void aKeyBoundToAMemberActsWithAtMostTheMembersRole() {
        member(server, "auth-a", "dora@a.example", "admin");
        String dora = key(server, "auth-a", "admin", "dora@a.example");
        assertStatus(server.get("/v1/orgs/auth-a/budgets", dora), 200);
        // Demoted: her admin key is a member key now — her own data only — on the next request.
        member(server, "auth-a", "dora@a.example", "member");
        assertError(server.get("/v1/orgs/auth-a/budgets", dora), 403, "FORBIDDEN");
        assertError(server.post("/v1/orgs/auth-a/keys", dora, "{\"role\": \"admin\"}"), 403, "FORBIDDEN");
        assertStatus(server.get("/v1/me", dora), 200);
        // An admin key for a member who is not an admin is refused rather than handed out inert.
        assertError(server.post("/v1/orgs/auth-a/keys", OP, "{\"role\": \"admin\", \"memberId\": \"dora@a.example\"}"), 400, "VALIDATION_ERROR");
        // Promoted again: admin again.
        member(server, "auth-a", "dora@a.example", "admin");
        assertStatus(server.get("/v1/orgs/auth-a/budgets", dora), 200);
        // A member key stays a member key whatever its member's role.
        String doraMember = key(server, "auth-a", "member", "dora@a.example");
        assertError(server.get("/v1/orgs/auth-a/budgets", doraMember), 403, "FORBIDDEN");
    }

    @Test
    void anAdminCannotDeleteAnotherOrgsKey() {
        var created = server.op("POST", "/v1/orgs/auth-b/keys", "{\"role\": \"admin\"}");
        String id = created.path("id").asText();
        assertError(server.delete("/v1/orgs/auth-b/keys/" + id, adminA), 403, "FORBIDDEN");
        // Naming the key under one's own org does not reach it either.
        assertError(server.delete("/v1/orgs/auth-a/keys/" + id, adminA), 404, "KEY_NOT_FOUND");
        assertStatus(server.get("/v1/orgs/auth-b", created.path("key").asText()), 200);
    }
}
