package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.graphql.CreditlineGraphQl;
import creditline.auth.Principal;
import creditline.common.Failure;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Set;

/** {@code POST /graphql} ({@code {query, variables?, operationName?}}) and {@code GET /graphql/schema}. */
final class GraphQlRoutes {
    static final int QUERY_CHARS_MAX = 100_000;

    private final CreditlineGraphQl graphQl;
    private final Authenticator auth;

    GraphQlRoutes(CreditlineGraphQl graphQl, Authenticator auth) {
        this.graphQl = graphQl;
        this.auth = auth;
    }

    void register(HttpRouting.Builder r) {
        r.post("/graphql", this::execute)
                .get("/graphql/schema", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
                    res.send(graphQl.schemaText());
                });
    }

    @SuppressWarnings("unchecked")
    private void execute(ServerRequest req, ServerResponse res) {
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("query", "variables", "operationName"));
        String query = Json.requiredString(body, "query");
        if (query.length() > QUERY_CHARS_MAX) throw Failure.invalid("query", "query is longer than " + QUERY_CHARS_MAX + " characters");
        JsonNode variables = body.get("variables");
        if (variables != null && !variables.isNull() && !variables.isObject()) throw Failure.invalid("variables", "variables must be a JSON object");
        Principal principal = null;
        Failure authFailure = null;
        if (req.headers().contains(HeaderNames.AUTHORIZATION)) {
            try {
                principal = auth.authenticate(req);
            } catch (Failure f) {
                authFailure = f;
            }
        }
        Map<String, Object> vars = variables == null || variables.isNull() ? Map.of() : Json.MAPPER.convertValue(variables, Map.class);
        Http.ok(res, graphQl.execute(query, vars, Json.optionalString(body, "operationName"), principal, authFailure));
    }
}
