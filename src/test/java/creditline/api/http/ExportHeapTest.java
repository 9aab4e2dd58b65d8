package creditline.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.analytics.Csv;
import creditline.pricing.Credits;
import creditline.testing.Databases;
import creditline.testing.TestServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The request-level export streams: 1,000,000 events exported through the real server in a JVM
 * of its own with a 128 MiB heap (the rows as strings would need several GiB). The child is
 * {@link #main}; it exits non-zero on a wrong count or total, and at once on OutOfMemoryError.
 */
class ExportHeapTest {
    static final int ROWS = 1_000_000;
    static final String HEAP = "-Xmx128m";
    private static final String ORG = "heap";
    private static final long CHARGE_MICROS = 1_230_000; // 1.23 credits per event

    @Test
    void aMillionRowExportStreamsInA128MiBHeap() throws Exception {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", HEAP, "-XX:+ExitOnOutOfMemoryError",
                "-cp", classpath, ExportHeapTest.class.getName(), String.valueOf(ROWS))
                .redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.contains(" INFO ")) out.append(line).append('\n');
            }
        }
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).as("the child finished").isTrue();
        System.out.print(out);
        assertThat(child.exitValue()).as(out.toString()).isZero();
        assertThat(out.toString()).contains("exported " + ROWS + " rows");
    }

    /** The child: a fresh SQLite database with {@code args[0]} events, a server, one streamed export counted as it arrives. */
    public static void main(String[] args) throws Exception {
        int rows = Integer.parseInt(args[0]);
        String db = Databases.freshSqlite();
        try (TestServer s = new TestServer(db)) {
            ApiTestSupport.plan(s, "heap-plan", "100", "allow");
            ApiTestSupport.org(s, ORG, "heap-plan");
            long t0 = System.nanoTime();
            insert(db, rows);
            long t1 = System.nanoTime();
            HttpRequest req = HttpRequest.newBuilder(URI.create(s.url("/v1/orgs/" + ORG + "/usage/events?from=2026-11-01&to=2026-11-16")))
                    .header("Authorization", "Bearer " + TestServer.OPERATOR_KEY).build();
            HttpResponse<InputStream> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
            long count = 0;
            BigDecimal credits = BigDecimal.ZERO;
            try (CSVParser csv = Csv.READ.parse(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
                boolean header = true;
                for (CSVRecord rec : csv) {
                    if (header) {
                        header = false;
                        continue;
                    }
                    count++;
                    credits = credits.add(new BigDecimal(rec.get(7)));
                }
            }
            long t2 = System.nanoTime();
            BigDecimal expected = new BigDecimal(Credits.format(CHARGE_MICROS)).multiply(BigDecimal.valueOf(rows));
            Runtime rt = Runtime.getRuntime();
            System.out.printf("exported %d rows, %s credits in %d ms (%.0f rows/s; inserted in %d ms); heap max %d MiB, used %d MiB%n",
                    count, credits.toPlainString(), (t2 - t1) / 1_000_000, count * 1e9 / (t2 - t1), (t1 - t0) / 1_000_000,
                    rt.maxMemory() >> 20, (rt.totalMemory() - rt.freeMemory()) >> 20);
            if (res.statusCode() != 200 || count != rows || credits.compareTo(expected) != 0) {
                System.out.println("MISMATCH: status " + res.statusCode() + ", expected " + rows + " rows and " + expected + " credits");
                System.exit(1);
            }
        } finally {
            deleteDatabase(db);
        }
        System.exit(0);
    }

    /** The database is a few hundred MB: remove it and its directory. */
    private static void deleteDatabase(String db) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Path.of(db.substring("sqlite:".length()));
        for (String suffix : List.of("", "-wal", "-shm")) java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(file + suffix));
        java.nio.file.Files.deleteIfExists(file.getParent());
    }

    /** Events straight into the database file: ingest would take minutes for a million. */
    private static void insert(String db, int rows) throws Exception {
        long start = Instant.parse("2026-11-01T00:00:00Z").getEpochSecond() * 1_000_000;
        List<String> models = List.of("sonnet", "gpt", "local");
        try (Connection c = DriverManager.getConnection("jdbc:" + db)) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO usage_events (org_id, event_id, member_id, model_id, activity, occurred_at_micros, received_at_micros,
                      input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, tool_calls, charged_micros, nominal_micros,
                      agent, conversation, metadata)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""")) {
                for (int i = 0; i < rows; i++) {
                    long at = start + (long) i * 1_000_000; // one per second from Nov 1st: within the range
                    ps.setString(1, ORG);
                    ps.setString(2, "event-" + i);
                    ps.setString(3, "user" + (i % 1000) + "@heap.example");
                    ps.setString(4, models.get(i % 3));
                    ps.setString(5, "chat");
                    ps.setLong(6, at);
                    ps.setLong(7, at);
                    ps.setLong(8, 1000 + i % 7);
                    ps.setLong(9, 200);
                    ps.setLong(10, 0);
                    ps.setLong(11, 50);
                    ps.setLong(12, i % 3);
                    ps.setLong(13, CHARGE_MICROS);
                    ps.setLong(14, CHARGE_MICROS);
                    ps.setString(15, i % 2 == 0 ? "pr-reviewer" : null);
                    ps.setString(16, "conversation-" + (i / 10));
                    ps.setString(17, i % 5 == 0 ? "{\"ticket\":\"T-" + i + "\"}" : null);
                    ps.addBatch();
                    if (i % 10_000 == 9_999) ps.executeBatch();
                }
                ps.executeBatch();
            }
            c.commit();
        }
    }
}
