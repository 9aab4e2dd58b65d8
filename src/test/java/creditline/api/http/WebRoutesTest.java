package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.raw;
import static creditline.api.http.ApiTestSupport.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboard's files (types, caching, no way out of the web folder) and {@code GET /v1/me}. */
class WebRoutesTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static TestServer.Response get(String path) {
        return raw(server, "GET", path, null);
    }

    private static String header(TestServer.Response r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    void thePageAndItsFilesHaveTheirTypesAndCacheHeaders() {
        TestServer.Response page = get("/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(header(page, "Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(header(page, "Cache-Control")).isEqualTo("no-cache");
        assertThat(header(page, "Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
        assertThat(header(page, "X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/web/js/main.js\">");

        assertThat(header(get("/web/js/main.js"), "Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(header(get("/web/app.css"), "Content-Type")).isEqualTo("text/css; charset=utf-8");
        assertThat(header(get("/web/favicon.svg"), "Content-Type")).isEqualTo("image/svg+xml");
        TestServer.Response echarts = get("/web/vendor/echarts/echarts.esm.min.js");
        assertThat(echarts.status()).isEqualTo(200);
        assertThat(header(echarts, "Content-Type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(header(echarts, "Cache-Control")).isEqualTo("public, max-age=86400");
        assertThat(echarts.body()).contains("export");
    }

    @Test
    void anUnchangedFileIsNotSentAgain() {
        TestServer.Response first = get("/web/js/main.js");
        String etag = header(first, "ETag");
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        TestServer.Response again = send(HttpRequest.newBuilder(URI.create(server.url("/web/js/main.js"))).header("If-None-Match", etag).build());
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        TestServer.Response stale = send(HttpRequest.newBuilder(URI.create(server.url("/web/js/main.js"))).header("If-None-Match", "\"other\"").build());
        assertThat(stale.status()).isEqualTo(200);
        assertThat(stale.body()).isEqualTo(first.body());
    }

    @Test
    void unknownFilesAndPathsOutOfTheWebFolderAreJson404s() {
        for (String path : new String[] {"/web/nope.js", "/web/js", "/web/js/", "/web/%2e%2e/openapi.json",
                "/web/js/%2e%2e/%2e%2e/logback.xml", "/web/.hidden.js", "/web/db/migration/V1__init.sql", "/web/vendor/echarts/../package.json",
                "/web/vendor/echarts/%2e%2e/%2e%2e/%2e%2e/%2e%2e/maven/org.webjars.npm/echarts/pom.properties", "/web/js/main.js%00.png",
                "/web/..%2f..%2flogback.xml", "/web/creditline/app/Main.class"}) {
            TestServer.Response r = get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertError(r, 404, "NOT_FOUND");
            assertThat(r.body()).doesNotContain("<configuration").doesNotContain("CREATE TABLE");
        }
    }

    @Test
    void meTellsTheKeysRoleOrgAndMemberAndTheServersDate() {
        plan(server, "me-plan", "100", "block");
        org(server, "me-org", "me-plan");
        member(server, "me-org", "ada@me.example", "admin");
        member(server, "me-org", "bob@me.example", "member");
        JsonNode op = server.get("/v1/me", OP).json();
        assertThat(op.path("role").asText()).isEqualTo("operator");
        assertThat(op.path("orgId").isNull()).isTrue();
        assertThat(op.path("today").asText()).isEqualTo("2026-11-15");
        JsonNode admin = server.get("/v1/me", key(server, "me-org", "admin", "ada@me.example")).json();
        assertThat(admin.path("role").asText()).isEqualTo("admin");
        assertThat(admin.path("orgId").asText()).isEqualTo("me-org");
        assertThat(admin.path("memberId").asText()).isEqualTo("ada@me.example");
        JsonNode member = server.get("/v1/me", key(server, "me-org", "member", "bob@me.example")).json();
        assertThat(member.path("role").asText()).isEqualTo("member");
        assertThat(member.path("memberId").asText()).isEqualTo("bob@me.example");
        server.clock.advance(java.time.Duration.ofDays(20));
        assertThat(server.get("/v1/me", OP).json().path("today").asText()).as("the server's clock, not the browser's").isEqualTo("2026-12-05");

        assertError(server.get("/v1/me", null), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/me", "not-a-key"), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/me?x=1", OP), 400, "UNKNOWN_FIELD");
    }
}
