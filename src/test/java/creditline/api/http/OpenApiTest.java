package creditline.api.http;

import static creditline.api.http.ApiTestSupport.raw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /openapi.json} cannot drift from the server: it lists every route the route classes
 * register and every route docs/api.md names, and every operation it lists is routed.
 */
class OpenApiTest {
    private static final Path ROUTE_SOURCES = Path.of("src/main/java/creditline/api/http");
    /** {@code .get("/path"} and {@code routing.get("/path"} in the route classes. */
    private static final Pattern REGISTERED = Pattern.compile("\\.(get|put|post|delete)\\(\"(/[^\"]*)\"");
    /** {@code `GET /v1/...`} and {@code `PUT|DELETE /v1/...`} in the docs. */
    private static final Pattern DOCUMENTED = Pattern.compile("`((?:GET|PUT|POST|DELETE)(?:\\|(?:GET|PUT|POST|DELETE))*) (/[^`\\s?\\[…]*)");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete");

    private static TestServer server;
    private static JsonNode doc;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        TestServer.Response r = raw(server, "GET", "/openapi.json", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        doc = r.json();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** "GET /v1/orgs/{}/members/{}": parameter names (and Helidon's {+x}, {x:.+}) do not matter. */
    private static String normalize(String method, String path) {
        return method.toUpperCase() + " " + path.replaceAll("\\{[^}]*}", "{}");
    }

    private static Set<String> documentedOperations() {
        Set<String> ops = new TreeSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            p.getValue().fieldNames().forEachRemaining(m -> {
                if (METHODS.contains(m)) ops.add(normalize(m, p.getKey()));
            });
        }
        return ops;
    }

    @Test
    void isAnOpenApi31DocumentWhoseOperationsAreComplete() {
        assertThat(doc.path("openapi").asText()).startsWith("3.1.");
        assertThat(doc.path("info").path("title").asText()).isNotBlank();
        assertThat(doc.path("components").path("securitySchemes").path("bearer").path("scheme").asText()).isEqualTo("bearer");
        Set<String> operationIds = new TreeSet<>();
        doc.path("paths").forEach(item -> item.fields().forEachRemaining(op -> {
            JsonNode o = op.getValue();
            assertThat(o.path("summary").asText()).as(op.getKey()).isNotBlank();
            assertThat(o.path("responses").path("default").path("content").path("application/json").path("schema").path("$ref").asText())
                    .isEqualTo("#/components/schemas/Error");
            assertThat(operationIds.add(o.path("operationId").asText())).as("unique operationId %s", o.path("operationId")).isTrue();
        }));
        // every $ref points at a schema that exists
        Matcher refs = Pattern.compile("\"#/components/schemas/([A-Za-z]+)\"").matcher(doc.toString());
        while (refs.find()) assertThat(doc.path("components").path("schemas").has(refs.group(1))).as(refs.group(1)).isTrue();
        // every path parameter is declared
        doc.path("paths").fields().forEachRemaining(p -> {
            Matcher params = Pattern.compile("\\{([^}]+)}").matcher(p.getKey());
            while (params.find()) {
                String name = params.group(1);
                p.getValue().forEach(op -> assertThat(op.path("parameters").findValuesAsText("name")).as(p.getKey()).contains(name));
            }
        });
    }

    @Test
    void listsEveryRouteTheServerRegisters() throws IOException {
        Set<String> registered = new TreeSet<>();
        try (Stream<Path> files = Files.list(ROUTE_SOURCES)) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = REGISTERED.matcher(Files.readString(f));
                while (m.find()) registered.add(normalize(m.group(1), m.group(2)));
            }
        }
        assertThat(registered).as("the scan found the route classes").hasSizeGreaterThan(50).contains("GET /v1/orgs/{}/usage/summary");
        assertThat(documentedOperations()).containsAll(registered);
    }

    @Test
    void listsEveryRouteTheApiDocsName() throws IOException {
        Set<String> named = new TreeSet<>();
        for (Path f : new Path[] {Path.of("docs/api.md"), Path.of("README.md")}) {
            Matcher m = DOCUMENTED.matcher(Files.readString(f));
            while (m.find()) {
                if (m.group(2).length() > 1 && m.group(2).endsWith("/")) continue; // "PUT /v1/plans/…": an abbreviation
                for (String method : m.group(1).split("\\|")) named.add(normalize(method, m.group(2)));
            }
        }
        assertThat(named).hasSizeGreaterThan(40);
        assertThat(documentedOperations()).containsAll(named);
    }

    @Test
    void everyOperationItListsIsRouted() {
        for (String op : documentedOperations()) {
            String method = op.substring(0, op.indexOf(' '));
            String path = op.substring(op.indexOf(' ') + 1).replace("{}", "x");
            TestServer.Response r = raw(server, method, path, null);
            boolean fallback = r.status() == 404 && r.body().contains("no such endpoint");
            assertThat(fallback).as("%s answered %d %s", op, r.status(), r.body()).isFalse();
        }
    }
}
