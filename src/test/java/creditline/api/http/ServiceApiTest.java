package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Health, metrics and the answer for paths that do not exist. */
class ServiceApiTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void healthzNeedsNoKey() {
        TestServer.Response r = server.get("/healthz", null);
        assertStatus(r, 200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.json().path("status").asText()).isEqualTo("ok");
    }

    private static double counter(String metrics, String status) {
        Matcher m = Pattern.compile("(?m)^creditline_usage_events(?:_total)?\\{[^}]*status=\"" + status + "\"[^}]*} (\\S+)$").matcher(metrics);
        assertThat(m.find()).as("a creditline_usage_events sample with status=%s in:%n%s", status, metrics).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** The only instance on its database holds the decision lease, and says so. */
    @Test
    void metricsShowTheDecisionLeaseAndVersionReads() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String metrics = server.get("/metrics", null).body();
        while (!metrics.matches("(?s).*\\ncreditline_decision_lease_held 1\\.0\\n.*") && System.nanoTime() < deadline) {
            Thread.sleep(50);
            metrics = server.get("/metrics", null).body();
        }
        assertThat(metrics).contains("\ncreditline_decision_lease_held 1.0\n").containsPattern("(?m)^creditline_decision_version_reads_total \\S+$");
    }

    @Test
    void metricsArePrometheusTextAndCountUsageEvents() {
        plan(server, "svc-plan", "100", "block");
        unitModel(server, "svc-model");
        org(server, "svc-org", "svc-plan");
        member(server, "svc-org", "dev@svc.example", "member");

        TestServer.Response before = server.get("/metrics", null);
        assertStatus(before, 200);
        assertThat(before.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(before.body()).contains("creditline_usage_events");
        double accepted = counter(before.body(), "accepted");
        double duplicates = counter(before.body(), "duplicate");
        double rejected = counter(before.body(), "rejected");

        server.op("POST", "/v1/usage", """
                {"events": [
                  {"id": "svc-1", "orgId": "svc-org", "memberId": "dev@svc.example", "model": "svc-model", "activity": "chat"},
                  {"id": "svc-2", "orgId": "svc-org", "memberId": "dev@svc.example", "model": "svc-model", "activity": "chat"},
                  {"id": "svc-1", "orgId": "svc-org", "memberId": "dev@svc.example", "model": "svc-model", "activity": "chat"},
                  {"id": "svc-3", "orgId": "svc-org", "memberId": "dev@svc.example", "model": "no-such-model", "activity": "chat"}]}""");

        String after = server.get("/metrics", null).body();
        assertThat(counter(after, "accepted")).isEqualTo(accepted + 2);
        assertThat(counter(after, "duplicate")).isEqualTo(duplicates + 1);
        assertThat(counter(after, "rejected")).isEqualTo(rejected + 1);
        assertThat(after).contains("# TYPE creditline_usage_events");
    }

    /**
     * One request over a plain socket, so the request line can hold what HTTP clients refuse to send;
     * the answer's head and its Content-Length bytes of body (Helidon 4.2 keeps the socket open after
     * a {@code Connection: close} answer until the client closes it).
     */
    private static String rawExchange(String requestLine) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer " + OP + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return readResponse(socket.getInputStream());
        }
    }

    private static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) break;
            head.write(b);
        }
        String headText = head.toString(StandardCharsets.US_ASCII);
        Matcher length = Pattern.compile("(?i)\r\nContent-Length: (\\d+)").matcher(headText);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return headText + new String(body, StandardCharsets.UTF_8);
    }

    /**
     * A body not read (a 401 before reading it) or read in part (above 32 MiB) is not taken for
     * the connection's next request: a request hidden at its end gets no answer.
     */
    @Test
    void aBodyIsNeverTakenForAnotherRequest() throws IOException {
        byte[] hidden = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] huge = new byte[33 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        System.arraycopy(hidden, 0, huge, huge.length - hidden.length, hidden.length);
        assertThat(onlyAnswer("POST /v1/usage", OP, huge)).startsWith("HTTP/1.1 413").contains("BODY_TOO_LARGE");
        assertThat(onlyAnswer("POST /v1/usage", "not-a-key", hidden)).startsWith("HTTP/1.1 401");
        assertThat(onlyAnswer("POST /v1/nothing-here", OP, hidden)).startsWith("HTTP/1.1 404");
    }

    /** The one answer to a request with {@code Connection: close}; fails when a second one comes. */
    private static String onlyAnswer(String requestLine, String key, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.app.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + key + "\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = readResponse(in);
            socket.setSoTimeout(1_000);
            byte[] more = new byte[64];
            int n;
            try {
                n = in.read(more);
            } catch (java.net.SocketTimeoutException quiet) {
                n = 0;
            }
            assertThat(n <= 0 ? "" : new String(more, 0, n, StandardCharsets.US_ASCII)).as("a second answer, after " + answer).isEmpty();
            return answer;
        }
    }

    @Test
    void aMalformedPathEscapeIs400WithAnErrorBody() throws IOException {
        String response = rawExchange("GET /v1/models/%zz HTTP/1.1");
        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(rawBody(response)).contains("\"code\":\"MALFORMED_REQUEST\"");
    }

    @Test
    void requestsTheHttpServerRefusesGetTheErrorBodyToo() throws IOException {
        // A request line within the limit reaches the routes: the export's filters at their limit fit.
        String longest = "GET /v1/orgs/" + "x".repeat(TransportErrors.URI_BYTES_MAX - 100) + " HTTP/1.1";
        assertThat(rawExchange(longest)).startsWith("HTTP/1.1 404");
        String tooLong = rawExchange("GET /v1/orgs/" + "x".repeat(TransportErrors.URI_BYTES_MAX) + " HTTP/1.1");
        assertThat(tooLong).startsWith("HTTP/1.1 414");
        assertThat(rawBody(tooLong)).contains("\"code\":\"URI_TOO_LONG\"").contains("128 KiB");
        String garbled = rawExchange("GET /v1/models/a b HTTP/1.1");
        assertThat(garbled).startsWith("HTTP/1.1 400");
        assertThat(rawBody(garbled)).contains("\"code\":\"MALFORMED_REQUEST\"");
    }

    private static String rawBody(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void anOversizedBodyIs413WithAnErrorBody() {
        String body = "{" + " ".repeat(33 * 1024 * 1024) + "}";
        TestServer.Response r = server.post("/v1/usage", OP, body);
        assertError(r, 413, "BODY_TOO_LARGE");
    }

    @Test
    void unknownPathsAre404NotFound() {
        assertError(server.get("/nope", null), 404, "NOT_FOUND");
        assertError(server.get("/v1/nope", OP), 404, "NOT_FOUND");
        assertError(server.get("/v1/orgs/x/nothing-here", OP), 404, "NOT_FOUND");
        // An empty segment is not skipped (Helidon matched /v1/models/a//b as the model a/b).
        assertError(server.call("PUT", "/v1/models/svc-a//b", OP, "{}"), 404, "NOT_FOUND");
        assertError(server.get("/v1/models/svc-a/b", OP), 404, "MODEL_NOT_FOUND");
        assertError(server.get("//healthz", null), 404, "NOT_FOUND");
        assertError(server.delete("/v1/models/whatever", OP), 404, "NOT_FOUND");
        assertError(server.post("/v1/plans", OP, "{}"), 404, "NOT_FOUND");
    }
}
