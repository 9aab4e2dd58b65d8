package creditline.api.http;

import static creditline.api.http.ApiTestSupport.raw;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    /**
     * What the server answers is what the document declares: for a set of typical requests, the
     * answer's status is declared and its body has the declared types and no undeclared field.
     */
    @Test
    void answersMatchTheirDeclaredSchemas() {
        server.op("PUT", "/v1/models/oa-sonnet", "{\"name\": \"Sonnet\", \"rates\": {\"creditInputPer1M\": \"3\"}}");
        server.op("PUT", "/v1/plans/oa-plan", "{\"name\": \"P\", \"creditsIncluded\": \"100\", \"overage\": \"allow\"}");
        server.op("POST", "/v1/orgs", "{\"id\": \"oa-org\", \"planId\": \"oa-plan\"}");
        server.op("PUT", "/v1/orgs/oa-org/members/dev@oa.example", "{\"role\": \"member\"}");
        server.op("POST", "/v1/orgs/oa-org/grants", "{\"credits\": \"5\"}");
        String[][] requests = {
                {"PUT", "/v1/models/oa-sonnet", "{\"rates\": {\"creditInputPer1M\": \"4\"}, \"effectiveFrom\": \"2027-01-01T00:00:00Z\"}"},
                {"GET", "/v1/models/oa-sonnet/rates", null},
                {"GET", "/v1/models", null},
                {"PUT", "/v1/plans/oa-plan", "{\"name\": \"P\", \"creditsIncluded\": \"100\", \"overage\": \"allow\"}"},
                {"GET", "/v1/plans", null},
                {"GET", "/v1/orgs/oa-org", null},
                {"GET", "/v1/orgs/oa-org/members", null},
                {"GET", "/v1/orgs/oa-org/members/dev@oa.example", null},
                {"PUT", "/v1/orgs/oa-org/budgets", "{\"org\": {\"credits\": \"50\", \"notifyAdmin\": true}, \"defaultMember\": {\"credits\": \"5\"}}"},
                {"GET", "/v1/orgs/oa-org/balance", null},
                {"GET", "/v1/orgs/oa-org/subscription", null},
                {"POST", "/v1/usage", "{\"id\": \"oa-1\", \"orgId\": \"oa-org\", \"memberId\": \"dev@oa.example\", \"model\": \"oa-sonnet\", \"activity\": \"chat\"}"},
                {"POST", "/v1/authorize", "{\"orgId\": \"oa-org\", \"memberId\": \"dev@oa.example\", \"model\": \"oa-sonnet\", \"activity\": \"chat\"}"},
                {"GET", "/v1/orgs/oa-org/usage/summary?from=2026-11-01&to=2026-12-01", null},
                {"GET", "/v1/orgs/oa-org/usage/members?from=2026-11-01&to=2026-12-01", null},
                {"GET", "/v1/orgs/oa-org/notifications", null},
                {"GET", "/v1/orgs/nobody", null},
                {"POST", "/v1/orgs", "{\"id\": \"oa-org\", \"planId\": \"oa-plan\"}"},
        };
        for (String[] q : requests) {
            TestServer.Response r = server.call(q[0], q[1], TestServer.OPERATOR_KEY, q[2]);
            String where = q[0] + " " + q[1] + " -> " + r.status() + " " + r.body();
            JsonNode operation = operation(q[0], q[1].replaceAll("\\?.*", ""));
            assertThat(operation).as("no operation for " + where).isNotNull();
            JsonNode response = operation.path("responses").path(String.valueOf(r.status()));
            if (response.isMissingNode()) {
                assertThat(r.status()).as("undeclared status: " + where).isGreaterThanOrEqualTo(400);
                response = operation.path("responses").path("default");
            }
            JsonNode schema = response.path("content").path("application/json").path("schema");
            if (!schema.isMissingNode()) assertThat(violations(schema, r.json(), "$")).as(where).isEmpty();
        }
    }

    /** The operation of the document whose path template matches {@code path}. */
    private static JsonNode operation(String method, String path) {
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            String template = "\\Q" + p.getKey().replaceAll("\\{[^}]*}", "\\\\E[^/]+\\\\Q") + "\\E";
            if (path.matches(template) && p.getValue().has(method.toLowerCase())) return p.getValue().path(method.toLowerCase());
        }
        return null;
    }

    /** What in {@code value} the schema does not allow (the subset of JSON Schema the document uses). */
    private static List<String> violations(JsonNode schema, JsonNode value, String at) {
        if (schema.has("$ref")) return violations(doc.at(schema.path("$ref").asText().substring(1)), value, at);
        List<String> out = new ArrayList<>();
        for (String combinator : new String[] {"oneOf", "anyOf"}) {
            if (!schema.has(combinator)) continue;
            boolean any = false;
            for (JsonNode option : schema.path(combinator)) any |= violations(option, value, at).isEmpty();
            if (!any) out.add(at + ": matches none of " + combinator);
            return out;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode e : schema.path("enum")) listed |= e.equals(value);
            if (!listed) out.add(at + ": " + value + " is not one of " + schema.path("enum"));
        }
        JsonNode type = schema.path("type");
        if (!type.isMissingNode()) {
            List<String> types = new ArrayList<>();
            if (type.isArray()) type.forEach(t -> types.add(t.asText())); else types.add(type.asText());
            if (types.stream().noneMatch(t -> hasType(value, t))) out.add(at + ": " + value + " is not " + types);
        }
        if (value.isObject() && schema.has("properties")) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = value.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode declared = schema.path("properties").path(f.getKey());
                if (declared.isMissingNode()) {
                    if (!schema.has("additionalProperties")) out.add(at + "." + f.getKey() + ": not declared");
                } else {
                    out.addAll(violations(declared, f.getValue(), at + "." + f.getKey()));
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) out.addAll(violations(schema.path("items"), value.get(i), at + "[" + i + "]"));
        }
        return out;
    }

    private static boolean hasType(JsonNode value, String type) {
        return switch (type) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "integer" -> value.isIntegralNumber();
            case "number" -> value.isNumber();
            case "boolean" -> value.isBoolean();
            case "null" -> value.isNull();
            default -> true;
        };
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
