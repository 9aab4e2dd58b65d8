package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.http.Json;
import creditline.testing.Concurrently;
import creditline.testing.Databases;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two Creditline server processes on one PostgreSQL database; 64 clients reserve 1 credit each,
 * four times, through both against one member's 100-credit enforced budget: exactly 100 holds
 * are granted, none more.
 */
class PostgresTwoProcessReservationTest {
    static final String KEY = "two-process-operator-key";
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void reservationsAcrossTwoServerProcessesNeverOverspend() throws Exception {
        String db = Databases.freshPostgres();
        List<Process> servers = new ArrayList<>();
        try {
            int portA = freePort();
            int portB = freePort();
            servers.add(start(db, portA));
            awaitHealthy(portA, servers.get(0));
            servers.add(start(db, portB)); // after A migrated the schema
            awaitHealthy(portB, servers.get(1));

            call(portA, "PUT", "/v1/plans/pro", "{\"name\":\"Pro\",\"creditsIncluded\":\"40000\",\"overage\":\"allow\"}");
            call(portA, "PUT", "/v1/models/reply", "{\"rates\":{\"creditPerRequest\":\"1\"}}");
            call(portA, "POST", "/v1/orgs", "{\"id\":\"acme\",\"planId\":\"pro\"}");
            call(portA, "PUT", "/v1/orgs/acme/members/dev@acme.io", "{}");
            call(portA, "PUT", "/v1/orgs/acme/budgets", "{\"defaultMember\":{\"credits\":\"100\",\"enforce\":true}}");

            AtomicInteger granted = new AtomicInteger();
            String reserve = "{\"orgId\":\"acme\",\"memberId\":\"dev@acme.io\",\"model\":\"reply\",\"activity\":\"chat\","
                    + "\"estimatedCredits\":\"1\",\"reserve\":true}";
            Concurrently.run(64, t -> {
                int port = t % 2 == 0 ? portA : portB;
                for (int i = 0; i < 4; i++) if (call(port, "POST", "/v1/authorize", reserve).path("allowed").asBoolean()) granted.incrementAndGet();
            });
            assertThat(granted.get()).isEqualTo(100);
            JsonNode after = call(portB, "POST", "/v1/authorize", reserve);
            assertThat(after.path("reason").asText()).isEqualTo("MEMBER_BUDGET_EXHAUSTED");
            assertThat(after.path("remaining").path("memberBudget").asText()).isEqualTo("0.00");
        } finally {
            for (Process p : servers) p.destroy();
            for (Process p : servers) p.waitFor();
            Databases.drop(db);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Process start(String db, int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path dataDir = Files.createTempDirectory("creditline-proc");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "creditline.app.Main", "serve");
        pb.environment().put("CREDITLINE_DB", db);
        pb.environment().put("CREDITLINE_PORT", Integer.toString(port));
        pb.environment().put("CREDITLINE_HOST", "127.0.0.1");
        pb.environment().put("CREDITLINE_OPERATOR_KEY", KEY);
        pb.environment().put("CREDITLINE_DATA_DIR", dataDir.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(new File(dataDir.toFile(), "server.log"));
        return pb.start();
    }

    private void awaitHealthy(int port, Process p) throws Exception {
        for (int i = 0; i < 300; i++) {
            if (!p.isAlive()) throw new IllegalStateException("server on port " + port + " exited with " + p.exitValue());
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("server on port " + port + " did not become healthy in 30 s");
    }

    private JsonNode call(int port, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new AssertionError(method + " " + path + " -> " + r.statusCode() + " " + r.body());
        return Json.parse(r.body().getBytes(StandardCharsets.UTF_8));
    }
}
