package creditline.api.http;

import static creditline.api.http.ApiTestSupport.OP;
import static creditline.api.http.ApiTestSupport.assertError;
import static creditline.api.http.ApiTestSupport.assertFieldError;
import static creditline.api.http.ApiTestSupport.assertStatus;
import static creditline.api.http.ApiTestSupport.key;
import static creditline.api.http.ApiTestSupport.member;
import static creditline.api.http.ApiTestSupport.org;
import static creditline.api.http.ApiTestSupport.plan;
import static creditline.api.http.ApiTestSupport.unitModel;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import creditline.testing.Databases;
import creditline.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * Alerts over HTTP: webhooks (CRUD, validation), stored notifications for admins and members,
 * and delivery to a real local HTTP receiver: once per threshold, signed, retried with backoff
 * from the durable outbox, across a restart.
 */
class AlertsWebhookTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SECRET = "whsec-0123456789abcdef";
    private static final Pattern SIGNATURE = Pattern.compile("t=(\\d+),v1=([0-9a-f]{64})");
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.sqlite();
        setUpCatalog(server);
    }

    private static void setUpCatalog(TestServer s) {
        plan(s, "al-big", "100000", "allow");
        plan(s, "al-small", "100", "block");
        unitModel(s, "al-unit");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void resetClock() {
        server.clock.set(TestServer.START);
    }

    // ---- a real webhook receiver ----

    /** One request the receiver got, with the raw body and the status it answered. */
    record Hit(String path, Map<String, List<String>> headers, byte[] body, int answered) {
        String header(String name) {
            for (var e : headers.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
            return null;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return creditline.api.http.Json.parse(body);
        }
    }

    /** A local HTTP server that records every request and answers scripted statuses (then 200). */
    static final class Receiver implements AutoCloseable {
        final List<Hit> hits = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Integer> script = new ConcurrentLinkedQueue<>();
        volatile int otherwise = 200;
        private final HttpServer http;
        private final ExecutorService executor = Executors.newFixedThreadPool(2);

        Receiver() throws IOException {
            http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            http.createContext("/", exchange -> {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    in.transferTo(out);
                    body = out.toByteArray();
                }
                Integer scripted = script.poll();
                int status = scripted != null ? scripted : otherwise;
                hits.add(new Hit(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()), body, status));
                exchange.sendResponseHeaders(status, -1);
                exchange.close();
            });
            http.setExecutor(executor);
            http.start();
        }

        String url(String path) {
            return "http://127.0.0.1:" + http.getAddress().getPort() + path;
        }

        List<Hit> hits(String path) {
            List<Hit> out = new ArrayList<>();
            for (Hit h : hits) if (h.path().equals(path)) out.add(h);
            return out;
        }

        @Override
        public void close() {
            http.stop(0);
            executor.shutdownNow();
        }
    }

    /** Polls {@code condition} until it holds, running {@code eachRound} between polls; fails after {@link #WAIT}. */
    private static void await(String what, BooleanSupplier condition, Runnable eachRound) {
        Instant deadline = Instant.now().plus(WAIT);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) throw new AssertionError("timed out waiting for " + what);
            eachRound.run();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        await(what, condition, () -> {});
    }

    /** Verifies {@code Creditline-Signature} by recomputing the HMAC here; returns its timestamp. */
    private static long verifySignature(Hit hit, String secret) {
        String header = hit.header("Creditline-Signature");
        assertThat(header).as("signature header of %s", hit.text()).isNotNull();
        Matcher m = SIGNATURE.matcher(header);
        assertThat(m.matches()).as("signature format: %s", header).isTrue();
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((m.group(1) + ".").getBytes(StandardCharsets.UTF_8));
            byte[] expected = mac.doFinal(hit.body());
            byte[] given = HexFormat.of().parseHex(m.group(2));
            assertThat(MessageDigest.isEqual(expected, given)).as("HMAC of %s", hit.text()).isTrue();
            // A wrong secret does not verify.
            mac.init(new SecretKeySpec((secret + "x").getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((m.group(1) + ".").getBytes(StandardCharsets.UTF_8));
            assertThat(MessageDigest.isEqual(mac.doFinal(hit.body()), given)).isFalse();
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        return Long.parseLong(m.group(1));
    }

    // ---- fixtures ----

    /** A new org with members {@code dev@<org>} and {@code ana@<org>}. */
    private static String newOrg(TestServer s, String orgId, String planId) {
        org(s, orgId, planId);
        member(s, orgId, dev(orgId), "member");
        member(s, orgId, ana(orgId), "member");
        return orgId;
    }

    private static String newOrg(String orgId) {
        return newOrg(server, orgId, "al-big");
    }

    private static String dev(String orgId) {
        return "dev@" + orgId + ".example";
    }

    private static String ana(String orgId) {
        return "ana@" + orgId + ".example";
    }

    private static String spendBody(String eventId, String orgId, String memberId, long credits) {
        return """
                {"id": "%s", "orgId": "%s", "memberId": "%s", "model": "al-unit", "activity": "chat", "tokens": {"input": %d}}"""
                .formatted(eventId, orgId, memberId, credits);
    }

    /** Records whole credits of usage; returns the event's status. */
    private static String spend(TestServer s, String eventId, String orgId, String memberId, long credits) {
        TestServer.Response r = s.post("/v1/usage", OP, spendBody(eventId, orgId, memberId, credits));
        assertStatus(r, 200);
        return r.json().path("events").get(0).path("status").asText();
    }

    private static String spend(String eventId, String orgId, String memberId, long credits) {
        return spend(server, eventId, orgId, memberId, credits);
    }

    private static JsonNode notifications(TestServer s, String orgId) {
        TestServer.Response r = s.get("/v1/orgs/" + orgId + "/notifications", OP);
        assertStatus(r, 200);
        assertThat(r.json().size()).isEqualTo(1);
        return r.json().path("notifications");
    }

    /** An org budget of 10 and a default member budget of 4, both notifying at 50 % and 100 %. */
    private static void alertAtHalf(String orgId) {
        server.op("PUT", "/v1/orgs/" + orgId + "/budgets", """
                {"org": {"credits": "10", "notifyAdmin": true, "alertPercent": 50},
                 "defaultMember": {"credits": "4", "notifyUser": true, "alertPercent": 50}}""");
    }

    private static JsonNode notifications(String orgId) {
        return notifications(server, orgId);
    }

    private static JsonNode find(JsonNode list, String scope, String memberId, int percent) {
        for (JsonNode n : list) {
            if (n.path("scope").asText().equals(scope) && n.path("thresholdPercent").asInt() == percent
                    && (memberId == null ? n.path("memberId").isNull() : n.path("memberId").asText().equals(memberId))) {
                return n;
            }
        }
        throw new AssertionError("no " + scope + "/" + memberId + "/" + percent + " notification in " + list);
    }

    private static JsonNode byId(JsonNode list, String id) {
        for (JsonNode n : list) if (n.path("id").asText().equals(id)) return n;
        throw new AssertionError("no notification " + id + " in " + list);
    }

    private static boolean allDelivered(TestServer s, String orgId, int expected) {
        JsonNode list = notifications(s, orgId);
        if (list.size() != expected) return false;
        for (JsonNode n : list) if (!n.path("delivered").asBoolean()) return false;
        return true;
    }

    private static void assertNotification(JsonNode n, String kind, String scope, String memberId, int percent) {
        List<String> fields = new ArrayList<>();
        n.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "kind", "scope", "memberId", "thresholdPercent", "periodStart", "createdAt", "delivered");
        assertThat(n.path("id").asText()).isNotBlank();
        assertThat(n.path("kind").asText()).as("kind of %s", n).isEqualTo(kind);
        assertThat(n.path("scope").asText()).isEqualTo(scope);
        if (memberId == null) assertThat(n.path("memberId").isNull()).as("memberId of %s", n).isTrue();
        else assertThat(n.path("memberId").asText()).isEqualTo(memberId);
        assertThat(n.path("thresholdPercent").asInt()).isEqualTo(percent);
        assertThat(n.path("periodStart").asText()).isEqualTo("2026-11-01");
        assertThat(n.path("delivered").isBoolean()).isTrue();
    }

    private static String webhookBody(String url, String secret, String events) {
        return "{\"url\": \"%s\", \"secret\": \"%s\", \"events\": %s}".formatted(url, secret, events);
    }

    // ---- webhooks ----

    @Test
    void webhooksArePutListedReplacedAndDeleted() {
        String org = newOrg("al-hooks");
        String path = "/v1/orgs/" + org + "/webhooks/";
        assertThat(server.op("GET", path.substring(0, path.length() - 1), null).path("webhooks")).isEmpty();

        TestServer.Response put = server.put(path + "ops", OP, webhookBody("https://hooks.example.com/a", SECRET, "[\"BUDGET_THRESHOLD\"]"));
        assertStatus(put, 200);
        assertThat(put.json().path("id").asText()).isEqualTo("ops");
        assertThat(put.json().path("url").asText()).isEqualTo("https://hooks.example.com/a");
        assertThat(put.json().path("events")).extracting(JsonNode::asText).containsExactly("BUDGET_THRESHOLD");
        assertThat(put.body()).as("the secret is never echoed").doesNotContain(SECRET);
        TestServer.Response all = server.put(path + "all", OP, "{\"url\": \"http://127.0.0.1:9/x\", \"secret\": \"" + SECRET + "\"}");
        assertStatus(all, 200);
        assertThat(all.json().path("events")).isEmpty();

        JsonNode list = server.op("GET", "/v1/orgs/" + org + "/webhooks", null).path("webhooks");
        assertThat(list).hasSize(2);
        assertThat(list.toString()).doesNotContain(SECRET);

        // PUT on an existing id replaces it.
        JsonNode replaced = server.op("PUT", path + "ops", webhookBody("https://hooks.example.com/b", SECRET,
                "[\"BUDGET_EXHAUSTED\", \"PLAN_CREDITS_LOW\", \"PLAN_CREDITS_EXHAUSTED\"]"));
        assertThat(replaced.path("url").asText()).isEqualTo("https://hooks.example.com/b");
        assertThat(replaced.path("events")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("BUDGET_EXHAUSTED", "PLAN_CREDITS_LOW", "PLAN_CREDITS_EXHAUSTED");
        list = server.op("GET", "/v1/orgs/" + org + "/webhooks", null).path("webhooks");
        assertThat(list).hasSize(2);

        TestServer.Response del = server.delete(path + "ops", OP);
        assertStatus(del, 204);
        list = server.op("GET", "/v1/orgs/" + org + "/webhooks", null).path("webhooks");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("id").asText()).isEqualTo("all");
        assertError(server.delete(path + "ops", OP), 404, "WEBHOOK_NOT_FOUND");
    }

    @Test
    void aDeploymentMayDenyWebhooksToPrivateAddresses() {
        try (TestServer denying = new TestServer(creditline.testing.Databases.freshSqlite(), 2, true, false)) {
            ApiTestSupport.plan(denying, "al-deny-plan", "100", "allow");
            ApiTestSupport.org(denying, "al-deny", "al-deny-plan");
            String path = "/v1/orgs/al-deny/webhooks/w";
            for (String url : List.of("http://127.0.0.1:9/hook", "http://localhost:8080/hook", "http://10.0.0.5/hook", "http://169.254.169.254/latest")) {
                TestServer.Response r = denying.put(path, OP, webhookBody(url, SECRET, "[]"));
                assertFieldError(r, 400, "VALIDATION_ERROR", "url");
                assertThat(r.json().path("error").path("message").asText()).as(url).contains("private or loopback");
            }
            assertStatus(denying.put(path, OP, webhookBody("https://8.8.8.8/hook", SECRET, "[]")), 200);
        }
    }

    @Test
    void webhooksAreValidated() {
        String org = newOrg("al-hooks-bad");
        String path = "/v1/orgs/" + org + "/webhooks/w";
        for (String url : List.of("not a url", "ftp://hooks.example.com/x", "/relative/path", "mailto:ops@example.com", "http://",
                "https://user:pass@hooks.example.com/x", "https://hooks.example.com:99999/x", "https://hooks.example.com/" + "x".repeat(2_048))) {
            assertFieldError(server.put(path, OP, webhookBody(url, SECRET, "[]")), 400, "VALIDATION_ERROR", "url");
        }
        assertFieldError(server.put(path, OP, "{\"secret\": \"" + SECRET + "\"}"), 400, "MISSING_FIELD", "url");
        assertFieldError(server.put(path, OP, webhookBody("https://h.example.com", "0123456789abcde", "[]")), 400, "VALIDATION_ERROR", "secret");
        assertFieldError(server.put(path, OP, "{\"url\": \"https://h.example.com\"}"), 400, "MISSING_FIELD", "secret");
        assertFieldError(server.put(path, OP, webhookBody("https://h.example.com", SECRET, "[\"BUDGET_ALERT\"]")), 400, "VALIDATION_ERROR", "events");
        assertFieldError(server.put(path, OP, webhookBody("https://h.example.com", SECRET, "[\"BUDGET_THRESHOLD\", \"nope\"]")), 400,
                "VALIDATION_ERROR", "events");
        assertFieldError(server.put(path, OP, webhookBody("https://h.example.com", SECRET, "\"BUDGET_THRESHOLD\"")), 400, "VALIDATION_ERROR",
                "events");
        assertFieldError(server.put(path, OP, "{\"url\": \"https://h.example.com\", \"secret\": \"" + SECRET + "\", \"active\": true}"), 400,
                "UNKNOWN_FIELD", "active");
        assertError(server.put(path, OP, "{\"url\": "), 400, "MALFORMED_JSON");
        assertThat(server.op("GET", "/v1/orgs/" + org + "/webhooks", null).path("webhooks")).isEmpty();
        assertFieldError(server.put("/v1/orgs/" + org + "/webhooks/-bad", OP, webhookBody("https://h.example.com", SECRET, "[]")), 400,
                "VALIDATION_ERROR", "id");
        assertThat(server.put("/v1/orgs/" + org + "/webhooks/" + "w".repeat(129), OP, webhookBody("https://h.example.com", SECRET, "[]"))
                .status()).isEqualTo(400);
        assertThat(server.op("GET", "/v1/orgs/" + org + "/webhooks", null).path("webhooks")).isEmpty();
        assertError(server.put("/v1/orgs/al-no-such-org/webhooks/w", OP, webhookBody("https://h.example.com", SECRET, "[]")), 404,
                "ORG_NOT_FOUND");
        // The scheme is case-insensitive.
        assertStatus(server.put(path, OP, webhookBody("HTTPS://H.EXAMPLE.COM/x", SECRET, "[]")), 200);
        // Exactly 16 characters is enough.
        assertStatus(server.put(path, OP, webhookBody("https://h.example.com", "0123456789abcdef", "[]")), 200);
    }

    @Test
    void webhooksAndNotificationsBelongToTheOrgsAdmins() {
        String org = newOrg("al-hooks-auth");
        String other = newOrg("al-hooks-auth2");
        String admin = key(server, org, "admin", null);
        String otherAdmin = key(server, other, "admin", null);
        String memberKey = key(server, org, "member", dev(org));
        String body = webhookBody("https://h.example.com", SECRET, "[]");
        assertStatus(server.put("/v1/orgs/" + org + "/webhooks/a", admin, body), 200);
        assertStatus(server.get("/v1/orgs/" + org + "/webhooks", admin), 200);
        assertStatus(server.get("/v1/orgs/" + org + "/notifications", admin), 200);
        String[][] calls = {
                {"PUT", "/v1/orgs/" + org + "/webhooks/b", body},
                {"GET", "/v1/orgs/" + org + "/webhooks", null},
                {"DELETE", "/v1/orgs/" + org + "/webhooks/a", null},
                {"GET", "/v1/orgs/" + org + "/notifications", null},
        };
        for (String[] c : calls) {
            assertError(server.call(c[0], c[1], otherAdmin, c[2]), 403, "FORBIDDEN");
            assertError(server.call(c[0], c[1], memberKey, c[2]), 403, "FORBIDDEN");
            assertError(server.call(c[0], c[1], null, c[2]), 401, "UNAUTHENTICATED");
        }
        assertThat(server.op("GET", "/v1/orgs/" + org + "/webhooks", null).path("webhooks")).hasSize(1);
        assertStatus(server.delete("/v1/orgs/" + org + "/webhooks/a", admin), 204);
    }

    // ---- notifications ----

    @Test
    void notificationsAreRaisedPerBudgetAndMembersSeeOnlyTheirOwn() {
        String org = newOrg("al-notes");
        alertAtHalf(org);
        member(server, org, "idle@" + org + ".example", "member");
        spend("al-notes-1", org, dev(org), 3);
        spend("al-notes-2", org, ana(org), 5);

        JsonNode all = notifications(org);
        assertThat(all).hasSize(4);
        assertNotification(find(all, "member", dev(org), 50), "BUDGET_THRESHOLD", "member", dev(org), 50);
        assertNotification(find(all, "member", ana(org), 50), "BUDGET_THRESHOLD", "member", ana(org), 50);
        assertNotification(find(all, "member", ana(org), 100), "BUDGET_EXHAUSTED", "member", ana(org), 100);
        assertNotification(find(all, "org", null, 50), "BUDGET_THRESHOLD", "org", null, 50);
        for (JsonNode n : all) {
            assertThat(n.path("createdAt").asText()).isEqualTo("2026-11-15T12:00:00Z");
            assertThat(n.path("delivered").asBoolean()).as("no webhook, nothing delivered: %s", n).isFalse();
        }
        assertThat(new HashSet<>(all.findValuesAsText("id"))).hasSize(4);

        String devKey = key(server, org, "member", dev(org));
        TestServer.Response mine = server.get("/v1/me/notifications", devKey);
        assertStatus(mine, 200);
        JsonNode devNotes = mine.json().path("notifications");
        assertThat(devNotes).hasSize(1);
        assertThat(devNotes.get(0)).isEqualTo(find(all, "member", dev(org), 50));

        JsonNode anaNotes = server.get("/v1/me/notifications", key(server, org, "member", ana(org))).json().path("notifications");
        assertThat(anaNotes).hasSize(2);
        for (JsonNode n : anaNotes) assertThat(n.path("memberId").asText()).isEqualTo(ana(org));
        assertThat(server.get("/v1/me/notifications", key(server, org, "member", "idle@" + org + ".example")).json().path("notifications"))
                .isEmpty();

        // Another org's member sees none of these.
        String other = newOrg("al-notes-other");
        assertThat(server.get("/v1/me/notifications", key(server, other, "member", dev(other))).json().path("notifications")).isEmpty();
    }

    @Test
    void meNotificationsNeedAMemberKey() {
        String org = newOrg("al-me");
        assertError(server.get("/v1/me/notifications", key(server, org, "admin", null)), 403, "FORBIDDEN");
        assertError(server.get("/v1/me/notifications", OP), 403, "FORBIDDEN");
        assertError(server.get("/v1/me/notifications", null), 401, "UNAUTHENTICATED");
        assertError(server.get("/v1/me/notifications", "no-such-key"), 401, "UNAUTHENTICATED");
    }

    @Test
    void notificationLimitIsValidated() {
        String org = newOrg("al-limit");
        server.op("PUT", "/v1/orgs/" + org + "/budgets", """
                {"defaultMember": {"credits": "1", "notifyUser": true, "alertPercent": 50}}""");
        spend("al-limit-1", org, dev(org), 1);
        spend("al-limit-2", org, ana(org), 1);
        assertThat(notifications(org)).hasSize(4);
        assertThat(server.op("GET", "/v1/orgs/" + org + "/notifications?limit=3", null).path("notifications")).hasSize(3);
        assertThat(server.op("GET", "/v1/orgs/" + org + "/notifications?limit=500", null).path("notifications")).hasSize(4);
        for (String bad : List.of("0", "501", "-1", "ten")) {
            assertFieldError(server.get("/v1/orgs/" + org + "/notifications?limit=" + bad, OP), 400, "VALIDATION_ERROR", "limit");
        }
        assertError(server.get("/v1/orgs/al-no-such-org/notifications", OP), 404, "ORG_NOT_FOUND");
    }

    @Test
    void noNotificationsWhenNotifyIsOffAndAlertsDoNotDependOnEnforcement() {
        String quiet = newOrg("al-quiet");
        server.op("PUT", "/v1/orgs/" + quiet + "/budgets", """
                {"org": {"credits": "5", "enforce": true, "notifyAdmin": false},
                 "defaultMember": {"credits": "5", "enforce": true, "notifyUser": false}}""");
        spend("al-quiet-1", quiet, dev(quiet), 10);
        assertThat(notifications(quiet)).isEmpty();

        String tracked = newOrg("al-tracked");
        server.op("PUT", "/v1/orgs/" + tracked + "/budgets", """
                {"org": {"credits": "5", "enforce": false, "notifyAdmin": true, "alertPercent": 100}}""");
        spend("al-tracked-1", tracked, dev(tracked), 10);
        JsonNode list = notifications(tracked);
        assertThat(list).hasSize(1);
        assertNotification(list.get(0), "BUDGET_EXHAUSTED", "org", null, 100);
    }

    @Test
    void alertsRaisedTogetherAreListedInAFixedOrder() {
        String org = newOrg("al-order");
        alertAtHalf(org);
        spend("al-order-1", org, dev(org), 10);
        JsonNode list = notifications(org);
        assertThat(list).hasSize(4);
        assertNotification(list.get(0), "BUDGET_EXHAUSTED", "org", null, 100);
        assertNotification(list.get(1), "BUDGET_THRESHOLD", "org", null, 50);
        assertNotification(list.get(2), "BUDGET_EXHAUSTED", "member", dev(org), 100);
        assertNotification(list.get(3), "BUDGET_THRESHOLD", "member", dev(org), 50);
        JsonNode firstTwo = server.op("GET", "/v1/orgs/" + org + "/notifications?limit=2", null).path("notifications");
        assertThat(firstTwo).hasSize(2);
        assertNotification(firstTwo.get(0), "BUDGET_EXHAUSTED", "org", null, 100);
        assertNotification(firstTwo.get(1), "BUDGET_THRESHOLD", "org", null, 50);
    }

    @Test
    void memberAlertsFollowTheMembersEffectiveBudget() {
        String org = newOrg("al-override");
        server.op("PUT", "/v1/orgs/" + org + "/budgets", """
                {"defaultMember": {"credits": "100", "notifyUser": true, "alertPercent": 100}}""");
        server.op("PUT", "/v1/orgs/" + org + "/budgets/members/" + ApiTestSupport.enc(dev(org)), "{\"credits\": \"10\"}");
        server.op("PUT", "/v1/orgs/" + org + "/budgets/members/" + ApiTestSupport.enc(ana(org)), "{\"credits\": null}");
        spend("al-override-1", org, dev(org), 10);
        spend("al-override-2", org, ana(org), 500);
        JsonNode list = notifications(org);
        assertThat(list).as("dev at their override of 10; ana unlimited").hasSize(1);
        assertNotification(list.get(0), "BUDGET_EXHAUSTED", "member", dev(org), 100);
    }

    @Test
    void planBalanceAlertsWhenLowAndWhenOut() {
        String org = newOrg(server, "al-plan", "al-small");
        spend("al-plan-1", org, dev(org), 79);
        assertThat(notifications(org)).isEmpty();
        spend("al-plan-2", org, dev(org), 1);
        JsonNode low = notifications(org);
        assertThat(low).hasSize(1);
        assertNotification(low.get(0), "PLAN_CREDITS_LOW", "plan", null, 80);
        spend("al-plan-3", org, dev(org), 20);
        spend("al-plan-4", org, dev(org), 5);
        JsonNode out = notifications(org);
        assertThat(out).hasSize(2);
        assertNotification(find(out, "plan", null, 100), "PLAN_CREDITS_EXHAUSTED", "plan", null, 100);
        // Plan alerts are for admins, not in a member's own list.
        assertThat(server.get("/v1/me/notifications", key(server, org, "member", dev(org))).json().path("notifications")).isEmpty();
    }

    @Test
    void aPlanThatAllotsNothingAlertsWhenItsGrantsRunOut() {
        plan(server, "al-prepaid", "0", "block");
        String prepaid = newOrg(server, "al-prepaid-org", "al-prepaid");
        server.op("POST", "/v1/orgs/" + prepaid + "/grants", "{\"credits\": \"6\"}");
        spend("al-prepaid-1", prepaid, dev(prepaid), 3);
        assertThat(notifications(prepaid)).isEmpty();
        spend("al-prepaid-2", prepaid, dev(prepaid), 3);
        JsonNode out = notifications(prepaid);
        assertThat(out).hasSize(1);
        assertNotification(out.get(0), "PLAN_CREDITS_EXHAUSTED", "plan", null, 100);
        // Pay as you go (no allotment, no grant): nothing to run out of, nothing to alert.
        plan(server, "al-payg", "0", "allow");
        String payg = newOrg(server, "al-payg-org", "al-payg");
        spend("al-payg-1", payg, dev(payg), 3);
        assertThat(notifications(payg)).isEmpty();
    }

    @Test
    void thresholdsAreNotifiedAgainInTheNextMonth() {
        String org = newOrg("al-month");
        server.op("PUT", "/v1/orgs/" + org + "/budgets", """
                {"defaultMember": {"credits": "10", "notifyUser": true, "alertPercent": 100}}""");
        spend("al-month-1", org, dev(org), 10);
        spend("al-month-2", org, dev(org), 10);
        assertThat(notifications(org)).hasSize(1);
        server.clock.set(Instant.parse("2026-12-01T00:00:00Z"));
        spend("al-month-3", org, dev(org), 9);
        assertThat(notifications(org)).hasSize(1);
        spend("al-month-4", org, dev(org), 1);
        JsonNode list = notifications(org);
        assertThat(list).hasSize(2);
        // Newest first.
        assertThat(list.get(0).path("periodStart").asText()).isEqualTo("2026-12-01");
        assertThat(list.get(0).path("createdAt").asText()).isEqualTo("2026-12-01T00:00:00Z");
        assertThat(list.get(1).path("periodStart").asText()).isEqualTo("2026-11-01");
    }

    @Test
    void aHugeBudgetWithAlertsDoesNotBreakIngestion() {
        String org = newOrg("al-huge");
        TestServer.Response put = server.put("/v1/orgs/" + org + "/budgets", OP, """
                {"org": {"credits": "1000000000000", "notifyAdmin": true},
                 "defaultMember": {"credits": "1000000000000", "notifyUser": true}}""");
        assertThat(put.status()).as("either refused or fully working: %s", put.body()).isIn(200, 400);
        TestServer.Response usage = server.post("/v1/usage", OP, spendBody("al-huge-1", org, dev(org), 5));
        assertThat(usage.status()).as("usage after a huge budget: %s", usage.body()).isEqualTo(200);
        assertThat(usage.json().path("accepted").asInt()).isEqualTo(1);
    }

    // ---- delivery to a real receiver ----

    @Test
    void eachThresholdIsDeliveredOnceSignedToEverySubscribedWebhook() throws Exception {
        try (Receiver receiver = new Receiver()) {
            String org = newOrg("al-deliver");
            String exhaustedSecret = "another-secret-of-32-characters!";
            server.op("PUT", "/v1/orgs/" + org + "/webhooks/all", webhookBody(receiver.url("/all"), SECRET, "[]"));
            server.op("PUT", "/v1/orgs/" + org + "/webhooks/exhausted", webhookBody(receiver.url("/exhausted"), exhaustedSecret,
                    "[\"BUDGET_EXHAUSTED\"]"));
            server.op("PUT", "/v1/orgs/" + org + "/budgets", """
                    {"org": {"credits": "100", "notifyAdmin": true, "alertPercent": 50},
                     "defaultMember": {"credits": "40", "notifyUser": true, "alertPercent": 75}}""");

            assertThat(spend("al-deliver-1", org, dev(org), 30)).isEqualTo("accepted");      // dev 75%
            assertThat(spend("al-deliver-1", org, dev(org), 30)).isEqualTo("duplicate");     // nothing new
            assertThat(spend("al-deliver-2", org, dev(org), 10)).isEqualTo("accepted");      // dev 100%
            assertThat(spend("al-deliver-3", org, ana(org), 15)).isEqualTo("accepted");      // org 55: 50%
            assertThat(spend("al-deliver-4", org, ana(org), 5)).isEqualTo("accepted");       // nothing new
            assertThat(spend("al-deliver-5", org, dev(org), 50)).isEqualTo("accepted");      // org 110: 100%
            TestServer.Response again = server.post("/v1/usage", OP, "{\"events\": [" + spendBody("al-deliver-2", org, dev(org), 10) + ", "
                    + spendBody("al-deliver-5", org, dev(org), 50) + "]}");
            assertThat(again.json().path("duplicates").asInt()).isEqualTo(2);

            await("4 notifications delivered", () -> allDelivered(server, org, 4));
            JsonNode list = notifications(org);
            assertNotification(find(list, "member", dev(org), 75), "BUDGET_THRESHOLD", "member", dev(org), 75);
            assertNotification(find(list, "member", dev(org), 100), "BUDGET_EXHAUSTED", "member", dev(org), 100);
            assertNotification(find(list, "org", null, 50), "BUDGET_THRESHOLD", "org", null, 50);
            assertNotification(find(list, "org", null, 100), "BUDGET_EXHAUSTED", "org", null, 100);

            // More usage in the same month raises nothing for these budgets; ana reaching hers is the barrier
            // that shows the deliverer has run after it.
            assertThat(spend("al-deliver-6", org, dev(org), 5)).isEqualTo("accepted");
            assertThat(notifications(org)).hasSize(4);
            assertThat(spend("al-deliver-7", org, ana(org), 20)).isEqualTo("accepted");      // ana 40: 75% and 100%
            await("6 notifications delivered", () -> allDelivered(server, org, 6));
            list = notifications(org);

            List<Hit> all = receiver.hits("/all");
            assertThat(all).as("one delivery per notification to the catch-all webhook").hasSize(6);
            Set<String> ids = new HashSet<>();
            for (Hit hit : all) {
                assertThat(hit.answered()).isEqualTo(200);
                assertThat(hit.header("Content-Type")).startsWith("application/json");
                assertThat(verifySignature(hit, SECRET)).isEqualTo(TestServer.START.getEpochSecond());
                JsonNode body = hit.json();
                assertThat(ids.add(body.path("id").asText())).as("delivered twice: %s", hit.text()).isTrue();
                JsonNode n = byId(list, body.path("id").asText());
                assertThat(body.path("orgId").asText()).isEqualTo(org);
                for (String f : List.of("kind", "scope", "memberId", "thresholdPercent", "periodStart", "createdAt")) {
                    assertThat(body.path(f)).as("%s of %s", f, hit.text()).isEqualTo(n.path(f));
                }
            }
            assertThat(ids).isEqualTo(new HashSet<>(list.findValuesAsText("id")));

            JsonNode orgFifty = hitFor(all, find(list, "org", null, 50));
            assertThat(orgFifty.path("consumedCredits").asText()).isEqualTo("55.00");
            assertThat(orgFifty.path("limitCredits").asText()).isEqualTo("100.00");
            JsonNode devFull = hitFor(all, find(list, "member", dev(org), 100));
            assertThat(devFull.path("consumedCredits").asText()).isEqualTo("40.00");
            assertThat(devFull.path("limitCredits").asText()).isEqualTo("40.00");

            List<Hit> exhausted = receiver.hits("/exhausted");
            assertThat(exhausted).as("only BUDGET_EXHAUSTED to the filtered webhook").hasSize(3);
            for (Hit hit : exhausted) {
                verifySignature(hit, exhaustedSecret);
                assertThat(hit.json().path("kind").asText()).isEqualTo("BUDGET_EXHAUSTED");
            }
        }
    }

    private static JsonNode hitFor(List<Hit> hits, JsonNode notification) {
        for (Hit h : hits) if (h.json().path("id").asText().equals(notification.path("id").asText())) return h.json();
        throw new AssertionError("no delivery of " + notification);
    }

    @Test
    void failedDeliveriesAreRetriedWithBackoffUntilAccepted() throws Exception {
        try (Receiver receiver = new Receiver()) {
            String org = newOrg("al-retry");
            server.op("PUT", "/v1/orgs/" + org + "/webhooks/flaky", webhookBody(receiver.url("/flaky"), SECRET, "[]"));
            server.op("PUT", "/v1/orgs/" + org + "/budgets", """
                    {"defaultMember": {"credits": "10", "notifyUser": true, "alertPercent": 100}}""");
            receiver.script.add(500);
            receiver.script.add(500);
            spend("al-retry-1", org, dev(org), 10);

            await("the first attempt", () -> receiver.hits.size() >= 1);
            assertThat(receiver.hits.get(0).answered()).isEqualTo(500);
            assertThat(notifications(org).get(0).path("delivered").asBoolean()).isFalse();
            // The retry is due at the server's clock + backoff: move the clock on until it has been made.
            await("the second attempt", () -> receiver.hits.size() >= 2, () -> server.clock.advance(Duration.ofSeconds(1)));
            assertThat(receiver.hits.get(1).answered()).isEqualTo(500);
            assertThat(notifications(org).get(0).path("delivered").asBoolean()).isFalse();
            await("the third attempt", () -> receiver.hits.size() >= 3, () -> server.clock.advance(Duration.ofSeconds(1)));
            assertThat(receiver.hits.get(2).answered()).isEqualTo(200);
            await("delivered", () -> notifications(org).get(0).path("delivered").asBoolean());

            List<Hit> hits = new ArrayList<>(receiver.hits);
            assertThat(hits).hasSize(3);
            long previous = 0;
            for (Hit hit : hits) {
                assertThat(hit.text()).as("every attempt sends the same notification").isEqualTo(hits.get(0).text());
                long t = verifySignature(hit, SECRET);
                assertThat(t).isGreaterThanOrEqualTo(previous);
                previous = t;
            }
            assertThat(hits.get(0).json().path("id").asText()).isEqualTo(notifications(org).get(0).path("id").asText());

            // Barrier: another alert is delivered once; the delivered one is not sent again.
            server.clock.advance(Duration.ofHours(2));
            spend("al-retry-2", org, ana(org), 10);
            await("the barrier delivery", () -> receiver.hits.size() >= 4);
            await("both delivered", () -> allDelivered(server, org, 2));
            assertThat(receiver.hits).hasSize(4);
            assertThat(receiver.hits.get(3).json().path("memberId").asText()).isEqualTo(ana(org));
        }
    }

    @Test
    void thePendingDeliverySurvivesARestart() throws Exception {
        String db = Databases.freshSqlite();
        try (Receiver receiver = new Receiver()) {
            receiver.otherwise = 500;
            String org = "al-restart";
            String notificationId;
            try (TestServer first = new TestServer(db)) {
                setUpCatalog(first);
                newOrg(first, org, "al-big");
                first.op("PUT", "/v1/orgs/" + org + "/webhooks/down", webhookBody(receiver.url("/down"), SECRET, "[]"));
                first.op("PUT", "/v1/orgs/" + org + "/budgets", """
                        {"org": {"credits": "20", "notifyAdmin": true, "alertPercent": 100}}""");
                assertThat(spend(first, "al-restart-1", org, dev(org), 20)).isEqualTo("accepted");
                await("a failed attempt before the restart", () -> !receiver.hits.isEmpty());
                JsonNode list = notifications(first, org);
                assertThat(list).hasSize(1);
                assertThat(list.get(0).path("delivered").asBoolean()).isFalse();
                notificationId = list.get(0).path("id").asText();
            }
            int failed = receiver.hits.size();
            assertThat(receiver.hits).allSatisfy(h -> assertThat(h.answered()).isEqualTo(500));
            receiver.otherwise = 200;

            try (TestServer second = new TestServer(db)) {
                JsonNode list = notifications(second, org);
                assertThat(list).hasSize(1);
                assertThat(list.get(0).path("id").asText()).isEqualTo(notificationId);
                assertThat(list.get(0).path("delivered").asBoolean()).isFalse();
                await("the delivery after the restart", () -> receiver.hits.size() > failed,
                        () -> second.clock.advance(Duration.ofSeconds(5)));
                await("delivered after the restart", () -> notifications(second, org).get(0).path("delivered").asBoolean());

                List<Hit> after = receiver.hits.subList(failed, receiver.hits.size());
                assertThat(after).hasSize(1);
                Hit hit = after.get(0);
                assertThat(hit.answered()).isEqualTo(200);
                verifySignature(hit, SECRET);
                assertThat(hit.text()).isEqualTo(receiver.hits.get(0).text());
                assertThat(hit.json().path("id").asText()).isEqualTo(notificationId);
                assertThat(hit.json().path("kind").asText()).isEqualTo("BUDGET_EXHAUSTED");
                // Usage after the restart does not raise the same threshold again.
                assertThat(spend(second, "al-restart-2", org, ana(org), 5)).isEqualTo("accepted");
                assertThat(notifications(second, org)).hasSize(1);
            }
        }
    }
}
