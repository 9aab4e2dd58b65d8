package creditline.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.testing.TestServer;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * Helpers shared by the HTTP black-box tests: fixtures created through the public API only,
 * error-body assertions, and the credit formula computed independently of the server.
 */
final class ApiTestSupport {
    static final String OP = TestServer.OPERATOR_KEY;
    /** Far enough in the past that every event a test sends is priced by the version it names. */
    static final String LONG_AGO = "2026-01-01T00:00:00Z";

    private static final HttpClient RAW = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private ApiTestSupport() {}

    /** Asserts the status and the {@code {"error": {code, message, details}}} body. */
    static JsonNode assertError(TestServer.Response r, int status, String code) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        assertThat(r.body()).as("the error body of a %d", status).isNotEmpty();
        JsonNode body = r.json();
        assertThat(body.size()).as("only 'error' at the top level: %s", r.body()).isEqualTo(1);
        JsonNode error = body.path("error");
        assertThat(error.path("code").asText()).as("error code of %s", r.body()).isEqualTo(code);
        assertThat(error.path("message").isTextual()).as("message of %s", r.body()).isTrue();
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("details").isObject()).as("details of %s", r.body()).isTrue();
        return error;
    }

    /** Asserts the status and the error body's shape; returns its code. */
    static String assertErrorStatus(TestServer.Response r, int status) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
        JsonNode error = r.json().path("error");
        assertThat(error.path("code").asText()).as("error code of %s", r.body()).matches("[A-Z][A-Z_]*");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.path("details").isObject()).isTrue();
        return error.path("code").asText();
    }

    /** Like {@link #assertError} and also checks {@code details.field}. */
    static JsonNode assertFieldError(TestServer.Response r, int status, String code, String field) {
        JsonNode error = assertError(r, status, code);
        assertThat(error.path("details").path("field").asText()).as("details.field of %s", r.body()).isEqualTo(field);
        return error;
    }

    static void assertStatus(TestServer.Response r, int status) {
        assertThat(r.status()).as("status of %s", r.body()).isEqualTo(status);
    }

    /** A request with a verbatim Authorization header (or none when null). */
    static TestServer.Response raw(TestServer s, String method, String path, String authorization) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url(path)));
        if (authorization != null) b.header("Authorization", authorization);
        b.method(method, HttpRequest.BodyPublishers.noBody());
        return send(b.build());
    }

    /** Sends a request as built (any headers and body). */
    static TestServer.Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = RAW.send(request, HttpResponse.BodyHandlers.ofString());
            return new TestServer.Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A path segment: {@code SA ci-bot} becomes {@code SA%20ci-bot}. */
    static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static BigDecimal dec(JsonNode node) {
        assertThat(node.isTextual() || node.isNumber()).as("a decimal: %s", node).isTrue();
        return new BigDecimal(node.asText());
    }

    // ---- fixtures through the API ----

    static JsonNode plan(TestServer s, String id, String credits, String overage) {
        return s.op("PUT", "/v1/plans/" + id, """
                {"name": "%s", "monthlyPrice": {"amount": "10.00", "currency": "USD"}, "creditsIncluded": "%s", "overage": "%s"}"""
                .formatted(id, credits, overage));
    }

    static JsonNode org(TestServer s, String id, String planId) {
        return s.op("POST", "/v1/orgs", """
                {"id": "%s", "name": "Org %s", "planId": "%s"}""".formatted(id, id, planId));
    }

    static JsonNode member(TestServer s, String orgId, String memberId, String role) {
        return s.op("PUT", "/v1/orgs/" + orgId + "/members/" + enc(memberId), """
                {"role": "%s"}""".formatted(role));
    }

    /** Creates a key and returns its secret. */
    static String key(TestServer s, String orgId, String role, String memberId) {
        String body = memberId == null ? "{\"role\": \"%s\"}".formatted(role)
                : "{\"role\": \"%s\", \"memberId\": \"%s\"}".formatted(role, memberId);
        return s.op("POST", "/v1/orgs/" + orgId + "/keys", body).path("key").asText();
    }

    /** A token-priced model with rates in credits per 1M tokens, in force since {@link #LONG_AGO}. */
    static JsonNode model(TestServer s, String id, String in, String out, String cacheWrite, String cacheRead) {
        return s.op("PUT", "/v1/models/" + id, """
                {"name": "%s", "provider": "test", "effectiveFrom": "%s",
                 "rates": {"creditInputPer1M": "%s", "creditOutputPer1M": "%s", "creditCacheWritePer1M": "%s", "creditCacheReadPer1M": "%s"}}"""
                .formatted(id, LONG_AGO, in, out, cacheWrite, cacheRead));
    }

    /** A model where one input token costs one credit, so tests spend exact amounts. */
    static JsonNode unitModel(TestServer s, String id) {
        return s.op("PUT", "/v1/models/" + id, """
                {"name": "%s", "effectiveFrom": "%s", "rates": {"creditInputPer1M": "1000000"}}""".formatted(id, LONG_AGO));
    }

    /** One event of {@code inputTokens} on the model (occurring now); returns the usage response. */
    static JsonNode spend(TestServer s, String eventId, String orgId, String memberId, String modelId, long inputTokens) {
        return s.op("POST", "/v1/usage", """
                {"id": "%s", "orgId": "%s", "memberId": "%s", "model": "%s", "activity": "chat", "tokens": {"input": %d}}"""
                .formatted(eventId, orgId, memberId, modelId, inputTokens));
    }

    static JsonNode balance(TestServer s, String orgId) {
        return s.op("GET", "/v1/orgs/" + orgId + "/balance", null);
    }

    static JsonNode subscription(TestServer s, String orgId) {
        return s.op("GET", "/v1/orgs/" + orgId + "/subscription", null);
    }

    // ---- the credit formula, computed independently ----

    /** Rates in credits; null = not configured (costs nothing). */
    record Rates(String in, String out, String cacheWrite, String cacheRead, String perRequest, String perToolCall) {}

    /**
     * {@code in/1e6*inRate + out/1e6*outRate + cw/1e6*cwRate + cr/1e6*crRate + perRequest + toolCalls*perToolCall},
     * rounded half-up to 2 decimals, as the string the API renders.
     */
    static String credits(Rates r, long in, long out, long cacheWrite, long cacheRead, long toolCalls) {
        BigDecimal million = BigDecimal.valueOf(1_000_000);
        BigDecimal sum = BigDecimal.valueOf(in).divide(million).multiply(rate(r.in()))
                .add(BigDecimal.valueOf(out).divide(million).multiply(rate(r.out())))
                .add(BigDecimal.valueOf(cacheWrite).divide(million).multiply(rate(r.cacheWrite())))
                .add(BigDecimal.valueOf(cacheRead).divide(million).multiply(rate(r.cacheRead())))
                .add(rate(r.perRequest()))
                .add(BigDecimal.valueOf(toolCalls).multiply(rate(r.perToolCall())));
        return sum.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static BigDecimal rate(String r) {
        return r == null ? BigDecimal.ZERO : new BigDecimal(r);
    }

    /** Sum of decimal strings, as a 2-decimal string. */
    static String sum(String... amounts) {
        BigDecimal total = BigDecimal.ZERO;
        for (String a : amounts) total = total.add(new BigDecimal(a));
        return total.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }

    static String minus(String a, String b) {
        return new BigDecimal(a).subtract(new BigDecimal(b)).setScale(2, RoundingMode.UNNECESSARY).toPlainString();
    }
}
