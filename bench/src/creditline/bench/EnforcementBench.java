package creditline.bench;

import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whole-server figures for enforcement, in one run, each against a separate server process on
 * this machine, closed-loop clients on virtual threads, each with one keep-alive connection
 * ({@link RawHttp}: the JDK HttpClient costs more CPU per request than the server does here):
 * <ol>
 *   <li>bare Helidon POST echo (the ceiling of the HTTP stack);</li>
 *   <li>{@code POST /v1/authorize} without reservation, for random members of one org;</li>
 *   <li>the same while 4 more clients post usage for those members (batches of 100 events): every
 *       usage commit changes the org's state, which the decision snapshots must follow (only the
 *       authorize calls are counted; the server CPU includes the usage);</li>
 *   <li>reserve + settle on ONE hot member: authorize with {@code reserve:true}, then
 *       {@code POST /v1/usage} carrying the reservation id (a pair is one operation).</li>
 * </ol>
 * Usage: {@code bench/run enforce [--db sqlite|postgres] [--seconds S] [--clients C] [--warmup S] [--only echo|authorize|mixed|reserve]}.
 */
public final class EnforcementBench {
    static final String KEY = "bench-operator-key";

    record Result(String name, long ops, double seconds, long[] latenciesNanos, long serverCpuNanos) {
        double perSecond() { return ops / seconds; }

        long percentileMicros(double p) {
            if (latenciesNanos.length == 0) return 0;
            long[] sorted = latenciesNanos.clone();
            Arrays.sort(sorted);
            return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1_000;
        }

        String line() {
            return String.format("%-34s %8.0f ops/s   p50 %6d µs   p99 %6d µs   server CPU %6.1f µs/op   (%d ops in %.1f s)", name, perSecond(),
                    percentileMicros(0.50), percentileMicros(0.99), serverCpuNanos / 1e3 / ops, ops, seconds);
        }
    }

    interface Op {
        void run(RawHttp http, int client, long seq) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Args.parse(args);
        String dbKind = opts.getOrDefault("db", "sqlite");
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "32"));
        warmupSeconds = Integer.parseInt(opts.getOrDefault("warmup", "3"));
        String only = opts.getOrDefault("only", "all"); // echo | authorize | mixed | reserve | all
        Path root = Path.of(System.getProperty("creditline.root", "."));
        Path work = Files.createDirectories(root.resolve("bench/target/enforce-" + UUID.randomUUID().toString().substring(0, 8)));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<Result> results = new ArrayList<>();

        System.out.printf("machine: %d cores; JDK %s; %d clients; %d s per run after a %d s warm-up; database %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), clients, seconds, warmupSeconds, dbKind);

        int echoPort = freePort();
        List<String> echoCommand = new ArrayList<>(List.of(java));
        echoCommand.addAll(Server.jvmOptions(root)); // the same JVM settings as the server's
        echoCommand.addAll(List.of("-cp", cp, "creditline.bench.EchoServer", Integer.toString(echoPort)));
        Process echo = start(echoCommand, work, "echo", Map.of());
        try {
            awaitPort(http, "http://127.0.0.1:" + echoPort + "/echo", "POST");
            String body = "{\"orgId\":\"bench\",\"memberId\":\"m1@bench.io\",\"model\":\"reply\",\"activity\":\"chat\"}";
            if (only.equals("all") || only.equals("echo")) results.add(run("bare Helidon POST echo", clients, seconds, echoPort, echo, (h, c, seq) -> h.post("/echo", body)));
        } finally {
            echo.destroy();
            echo.waitFor();
        }

        String db = dbKind.equals("postgres") ? freshPostgres(opts.getOrDefault("pg-url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"))
                : "sqlite:" + work.resolve("enforce.db");
        int port = freePort();
        List<String> serverCommand = new ArrayList<>(List.of(java));
        serverCommand.addAll(Server.jvmOptions(root));
        // e.g. BENCH_SERVER_JVM_OPTS='-XX:StartFlightRecording=filename=/tmp/enforce.jfr' to profile the server
        String extra = System.getenv().getOrDefault("BENCH_SERVER_JVM_OPTS", "").trim();
        if (!extra.isEmpty()) serverCommand.addAll(Arrays.asList(extra.split("\\s+")));
        serverCommand.addAll(List.of("-cp", cp, "creditline.app.Main", "serve"));
        Process server = start(serverCommand,
                work, "creditline", Map.of("CREDITLINE_DB", db, "CREDITLINE_PORT", Integer.toString(port), "CREDITLINE_HOST", "127.0.0.1",
                        "CREDITLINE_OPERATOR_KEY", KEY, "CREDITLINE_DATA_DIR", work.toString()));
        try {
            String base = "http://127.0.0.1:" + port;
            awaitPort(http, base + "/healthz", "GET");
            setUp(http, base, clients);
            if (only.equals("all") || only.equals("authorize")) {
                double versionReads = metric(http, base, "creditline_decision_version_reads_total");
                results.add(run("authorize (no reservation)", clients, seconds, port, server, (h, c, seq) ->
                        h.post("/v1/authorize", "{\"orgId\":\"bench\",\"memberId\":\"m" + (c % 100) + "@bench.io\",\"model\":\"reply\",\"activity\":\"chat\"}")));
                // The authorize figures depend on it (README, Architecture: the decision lease).
                System.out.printf("  (decision lease held: %s; authorize decisions that read their org's version during the run: %.0f)%n",
                        metric(http, base, "creditline_decision_lease_held") == 1 ? "yes" : "no",
                        metric(http, base, "creditline_decision_version_reads_total") - versionReads);
            }
            if (only.equals("all") || only.equals("mixed")) results.add(run("authorize while 4 clients post usage", clients, seconds, port, server,
                    USAGE_CLIENTS, (h, c, seq) -> {
                        if (c >= USAGE_CLIENTS) {
                            h.post("/v1/authorize", "{\"orgId\":\"bench\",\"memberId\":\"m" + (c % 100) + "@bench.io\",\"model\":\"reply\",\"activity\":\"chat\"}");
                            return;
                        }
                        StringBuilder events = new StringBuilder("{\"events\":[");
                        for (int i = 0; i < USAGE_BATCH; i++) {
                            if (i > 0) events.append(',');
                            events.append("{\"id\":\"u-").append(c).append('-').append(seq).append('-').append(i)
                                    .append("\",\"orgId\":\"bench\",\"memberId\":\"m").append((seq * USAGE_BATCH + i) % 100)
                                    .append("@bench.io\",\"model\":\"reply\",\"activity\":\"chat\"}");
                        }
                        String u = h.post("/v1/usage", events.append("]}").toString());
                        if (!u.contains("\"accepted\":" + USAGE_BATCH)) throw new IllegalStateException("usage not accepted: " + u);
                    }));
            if (only.equals("all") || only.equals("reserve")) {
                double batches = metric(http, base, "creditline_writer_batch_commands_count");
                double commands = metric(http, base, "creditline_writer_batch_commands_sum");
                results.add(run("reserve + settle, one hot member", clients, seconds, port, server, (h, c, seq) -> {
                    String r = h.post("/v1/authorize", "{\"orgId\":\"bench\",\"memberId\":\"hot@bench.io\",\"model\":\"reply\",\"activity\":\"chat\","
                            + "\"estimatedCredits\":\"1\",\"reserve\":true}");
                    int at = r.indexOf("\"reservationId\":\"");
                    if (at < 0) throw new IllegalStateException("not reserved: " + r);
                    String id = r.substring(at + 17, r.indexOf('"', at + 17));
                    String u = h.post("/v1/usage", "{\"id\":\"e-" + c + "-" + seq + "\",\"orgId\":\"bench\",\"memberId\":\"hot@bench.io\",\"model\":\"reply\","
                            + "\"activity\":\"chat\",\"reservationId\":\"" + id + "\"}");
                    if (!u.contains("\"accepted\":1")) throw new IllegalStateException("the settling event was not accepted: " + u);
                }));
                // Each pair is two writes; how many share a transaction sets the rate (BENCHMARKS.md, Enforcement).
                batches = metric(http, base, "creditline_writer_batch_commands_count") - batches;
                commands = metric(http, base, "creditline_writer_batch_commands_sum") - commands;
                System.out.printf("  (reserve + settle, warm-up and run: %.0f write transactions of %.1f commands on average)%n", batches, commands / batches);
            }
        } finally {
            server.destroy();
            server.waitFor();
            if (dbKind.equals("postgres")) dropPostgres(opts.getOrDefault("pg-url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres"), db);
        }
        System.out.println();
        for (Result r : results) System.out.println(r.line());
        if (only.equals("all")) System.out.printf("authorize / echo = %.2f%n", results.get(1).perSecond() / results.get(0).perSecond());
    }

    static void setUp(HttpClient http, String base, int clients) throws Exception {
        call(http, "PUT", base + "/v1/plans/bench", "{\"name\":\"Bench\",\"creditsIncluded\":\"1000000000\",\"overage\":\"allow\"}");
        call(http, "PUT", base + "/v1/models/reply", "{\"rates\":{\"creditPerRequest\":\"0.01\"}}");
        call(http, "POST", base + "/v1/orgs", "{\"id\":\"bench\",\"planId\":\"bench\"}");
        for (int i = 0; i < 100; i++) call(http, "PUT", base + "/v1/orgs/bench/members/m" + i + "@bench.io", "{}");
        call(http, "PUT", base + "/v1/orgs/bench/members/hot@bench.io", "{}");
        // Enforced budgets at both levels, large enough never to run out during the run.
        call(http, "PUT", base + "/v1/orgs/bench/budgets", "{\"org\":{\"credits\":\"100000000\",\"enforce\":true},"
                + "\"defaultMember\":{\"credits\":\"10000000\",\"enforce\":true}}");
    }

    /** Seconds each run warms up before it is measured ({@code --warmup}). */
    static int warmupSeconds = 3;

    /** In the mixed run: clients that post usage (not counted), and events per post. */
    static final int USAGE_CLIENTS = 4;
    static final int USAGE_BATCH = 100;

    /** Each measurement's operations number from a range of their own, so their event ids are new. */
    private static final AtomicLong MEASURES = new AtomicLong();
    private static final long SEQ_PER_MEASURE = 1_000_000_000_000L;

    static Result run(String name, int clients, int seconds, int port, Process server, Op op) throws Exception {
        return run(name, clients, seconds, port, server, 0, op);
    }

    /** @param uncounted the first clients, whose operations are load, not measured */
    static Result run(String name, int clients, int seconds, int port, Process server, int uncounted, Op op) throws Exception {
        measure(clients, warmupSeconds, port, uncounted, op); // warm-up: the JIT compiles the hot paths (C2 is busy for ~10 s)
        Path stat = Path.of("/proc/" + server.pid() + "/stat");
        long cpu0 = Server.procCpuNanos(stat);
        Measured m = measure(clients, seconds, port, uncounted, op);
        return new Result(name, m.ops(), m.seconds(), m.latencies(), Server.procCpuNanos(stat) - cpu0);
    }

    private static Measured measure(int clients, int seconds, int port, int uncounted, Op op) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        AtomicLong loadOps = new AtomicLong();
        List<Latencies> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < clients; c++) {
            Latencies lat = new Latencies();
            latencies.add(lat);
            int client = c;
            long firstSeq = SEQ_PER_MEASURE * MEASURES.getAndIncrement(); // ids never repeat across warm-up and run
            threads.add(Thread.ofVirtual().start(() -> {
                long seq = firstSeq;
                try (RawHttp http = new RawHttp("127.0.0.1", port, KEY)) {
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        op.run(http, client, seq++);
                        if (client < uncounted) {
                            loadOps.incrementAndGet();
                            continue;
                        }
                        lat.add(System.nanoTime() - t0);
                        ops.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        long start = System.nanoTime();
        Thread.sleep(seconds * 1_000L);
        stop.set(true);
        for (Thread t : threads) t.join();
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) throw new IllegalStateException("a client failed", failures.get(0));
        if (uncounted > 0) System.out.printf("  (meanwhile the %d load clients made %.0f requests/s)%n", uncounted, loadOps.get() / elapsed);
        int total = latencies.stream().mapToInt(l -> l.count).sum();
        long[] all = new long[total];
        int k = 0;
        for (Latencies l : latencies) {
            System.arraycopy(l.nanos, 0, all, k, l.count);
            k += l.count;
        }
        return new Measured(ops.get(), elapsed, all);
    }

    private record Measured(long ops, double seconds, long[] latencies) {}

    /**
     * One client's latencies, in an array that grows as they come: a client's share of a run is
     * not known beforehand, and an array sized for the most any client could make (16 MB each)
     * had the harness zeroing gigabytes at 128 clients and more, which took CPU from the server.
     */
    private static final class Latencies {
        long[] nanos = new long[4096];
        int count;

        void add(long latency) {
            if (count == nanos.length) nanos = java.util.Arrays.copyOf(nanos, count * 2);
            nanos[count++] = latency;
        }
    }

    static String post(HttpClient http, String url, String body) throws Exception {
        return call(http, "POST", url, body);
    }

    static String call(HttpClient http, String method, String url, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) throw new IllegalStateException(method + " " + url + " -> " + r.statusCode() + " " + r.body());
        return r.body();
    }

    /** A sample without labels from the server's /metrics. */
    static double metric(HttpClient http, String base, String name) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(r.body());
        if (!m.find()) throw new IllegalStateException("no " + name + " in /metrics");
        return Double.parseDouble(m.group(1));
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Process start(List<String> command, Path work, String name, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(new File(work.toFile(), name + ".log"));
        return pb.start();
    }

    static void awaitPort(HttpClient http, String url, String method) throws Exception {
        for (int i = 0; i < 300; i++) {
            try {
                http.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.ofString("{}")).build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException(url + " did not answer in 30 s");
    }

    static String freshPostgres(String adminUrl) throws Exception {
        String name = "creditline_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        int q = adminUrl.indexOf('?');
        String base = adminUrl.substring(0, adminUrl.lastIndexOf('/', q < 0 ? adminUrl.length() : q) + 1);
        return base + name + (q < 0 ? "" : adminUrl.substring(q));
    }

    static void dropPostgres(String adminUrl, String url) throws Exception {
        int q = url.indexOf('?');
        String path = url.substring(0, q < 0 ? url.length() : q);
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + path.substring(path.lastIndexOf('/') + 1) + " WITH (FORCE)");
        }
    }

    /** {@code --name value} pairs. */
    static final class Args {
        static Map<String, String> parse(String[] args) {
            Map<String, String> out = new java.util.HashMap<>();
            for (int i = 0; i + 1 < args.length; i += 2) {
                if (!args[i].startsWith("--")) throw new IllegalArgumentException("expected --name value, got " + args[i]);
                out.put(args[i].substring(2), args[i + 1]);
            }
            return out;
        }
    }
}
