package creditline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.http.Json;
import creditline.app.Config;
import creditline.app.Creditline;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/** A real Creditline on a free port, with a hand-moved clock and a JSON HTTP client. */
public final class TestServer implements AutoCloseable {
    public static final String OPERATOR_KEY = "test-operator-key";
    public static final Instant START = Instant.parse("2026-11-15T12:00:00Z");

    public final MutableClock clock = new MutableClock(START);
    public final Creditline app;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public TestServer(String db) {
        this(db, 2, true);
    }

    public TestServer(String db, int chargeScale, boolean meteringOn) {
        this(db, chargeScale, meteringOn, true);
    }

    public TestServer(String db, int chargeScale, boolean meteringOn, boolean webhookPrivateAddresses) {
        try {
            Path dataDir = Files.createTempDirectory("creditline-data");
            Config base = TestConfig.of(db);
            Config config = new Config(base.host(), base.port(), db, OPERATOR_KEY, dataDir, chargeScale, base.creditsPerUsd(), meteringOn,
                    base.reservationTtlSeconds(), base.webhookRetryBaseMs(), base.postgresWriters(), webhookPrivateAddresses);
            this.app = Creditline.start(config, clock);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestServer sqlite() {
        return new TestServer(Databases.freshSqlite());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + app.port() + path;
    }

    public record Response(int status, String body, java.net.http.HttpHeaders headers) {
        public JsonNode json() {
            return Json.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        /** The error code of an error body. */
        public String errorCode() {
            return json().path("error").path("code").asText();
        }
    }

    public Response call(String method, String path, String key, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)));
        if (key != null) b.header("Authorization", "Bearer " + key);
        b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Response get(String path, String key) { return call("GET", path, key, null); }

    public Response put(String path, String key, String body) { return call("PUT", path, key, body); }

    public Response post(String path, String key, String body) { return call("POST", path, key, body); }

    public Response delete(String path, String key) { return call("DELETE", path, key, null); }

    /** Operator call that must succeed (2xx); returns the JSON body. */
    public JsonNode op(String method, String path, String body) {
        Response r = call(method, path, OPERATOR_KEY, body);
        if (r.status() / 100 != 2) throw new AssertionError(method + " " + path + " -> " + r.status() + " " + r.body());
        return r.body().isEmpty() ? null : r.json();
    }

    @Override
    public void close() {
        app.close();
    }
}
