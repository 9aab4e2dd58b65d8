package creditline.bench;

import creditline.pricing.Model;
import creditline.pricing.Pricer;
import creditline.store.Database;
import creditline.usage.Ingester;
import creditline.usage.PricedEvent;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bench/run ingest}: durable ingest throughput of {@code POST /v1/usage} over HTTP, and in
 * the same run the raw insert rate of the same rows into the same database.
 *
 * <p>Per repetition: a fresh database; the server started; plan, models, orgs and members set
 * up over HTTP; the warm-up batches posted (not timed); the timed batches posted by C client
 * threads, each sending its next pre-serialized batch as soon as its previous one is answered
 * (closed loop; a 200 means committed); row counts and ledger totals checked; the server
 * stopped; then the same rows, under other org ids, inserted with the server's own INSERT
 * statement, row binding and writer connection settings over one connection, one transaction
 * per batch (warm-up, then timed).
 *
 * <p>CPU is accounted from /proc per thread group (writer, request carriers, JIT, GC) and per
 * process (server, load generator, PostgreSQL), so a run on a machine shared with other work is
 * recognised as such: it is flagged, and its per-event CPU figures stay meaningful.
 */
public final class IngestBench {
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    private static final String OPERATOR_KEY = "bench-operator-key-0123456789abcdef";
    private static final Pattern COUNTS = Pattern.compile("\"accepted\":(\\d+),\"duplicates\":(\\d+),\"rejected\":(\\d+)}\\s*$");
    /** CPU taken by processes outside the benchmark above which a figure is flagged, in cores. */
    private static final double SHARED_CORES = 0.2;

    record Options(String db, int events, int batch, int concurrency, int orgs, int members, int warmup, int repeat, String server,
                   boolean sequentialIds, boolean raw, int rawTxRows, List<String> serverOpts, String pgUrl, boolean keep, long seed) {}

    /**
     * CPU over a timed phase, in nanoseconds: the process under test (server, or the raw inserter's
     * JVM), its thread groups, the load generator, PostgreSQL's processes, and the whole machine.
     */
    record Cpu(long process, Map<String, Long> threads, long client, long database, long machineBusy) {
        long others() { return machineBusy - process - client - database; }
    }

    record Phase(long events, long wallNanos, long[] batchNanos, Cpu cpu) {
        double perSecond() { return events / (wallNanos / 1e9); }

        double usPerEvent(long nanos) { return nanos / 1e3 / events; }

        boolean shared() { return cpu.others() > SHARED_CORES * wallNanos; }
    }

    record Repetition(Phase http, double commandsPerTx, long transactions, Phase raw) {}

    public static void main(String[] args) throws Exception {
        Options o = parse(args);
        Path root = Path.of(System.getProperty("creditline.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        String javaHome = System.getProperty("java.home");

        System.out.printf(Locale.ROOT, "ingest benchmark: %s; %,d events (after %,d warm-up) in batches of %,d from %d client threads;"
                        + " %d orgs x %d members; %s event ids; server in %s%n",
                o.db(), o.events(), o.warmup(), o.batch(), o.concurrency(), o.orgs(), o.members(),
                o.sequentialIds() ? "sequential" : "random", o.server().equals("process") ? "a child JVM" : "this JVM");
        System.out.printf(Locale.ROOT, "machine: %d cores, %s; JDK %s (%s)%n", CORES, cpuModel(), System.getProperty("java.version"), javaHome);

        Workload workload = new Workload(o.orgs(), o.members(), o.sequentialIds());
        Instant now = Instant.now();
        long t0 = System.nanoTime();
        List<Workload.Event> warm = workload.events(o.seed(), "w-", o.warmup(), now);
        List<Workload.Event> timed = workload.events(o.seed() + 1, "e-", o.events(), now);
        List<byte[]> warmBodies = serialize(warm, o.batch());
        List<byte[]> timedBodies = serialize(timed, o.batch());
        long bodyBytes = timedBodies.stream().mapToLong(b -> b.length).sum();
        System.out.printf(Locale.ROOT, "workload: %,d timed batches, %,.0f bytes per event on the wire, generated in %.1f s%n",
                timedBodies.size(), (double) bodyBytes / o.events(), (System.nanoTime() - t0) / 1e9);

        List<Repetition> reps = new ArrayList<>();
        for (int r = 1; r <= o.repeat(); r++) {
            System.out.printf("%nrepetition %d of %d%n", r, o.repeat());
            reps.add(repetition(o, root, work, javaHome, warm, timed, warmBodies, timedBodies));
        }
        summary(o, reps);
    }

    private static Repetition repetition(Options o, Path root, Path work, String javaHome, List<Workload.Event> warm, List<Workload.Event> timed,
                                         List<byte[]> warmBodies, List<byte[]> timedBodies) throws Exception {
        try (BenchDb db = BenchDb.fresh(o.db(), work, o.pgUrl(), o.keep())) {
            System.out.println("  database " + db.location);
            Phase http;
            double[] writerBatches;
            try (Server server = o.server().equals("process")
                    ? Server.childProcess(root, javaHome, db.location, OPERATOR_KEY, work.resolve("data"), o.serverOpts())
                    : Server.inProcess(db.location, OPERATOR_KEY, work.resolve("data"))) {
                System.out.println("  server " + server.describe() + " on port " + server.port());
                Client client = new Client(server.port());
                setUp(client, o);
                postAll(client, warmBodies, o.concurrency(), null); // JIT, caches, connections
                double[] before = client.writerBatches();
                http = timedHttp(client, server, db, timedBodies, o.concurrency());
                double[] after = client.writerBatches();
                writerBatches = new double[] {after[0] - before[0], after[1] - before[1]};
            }
            long expected = warm.size() + (long) timed.size();
            long rows = db.count("SELECT count(*) FROM usage_events WHERE org_id LIKE 'bench-org-%'");
            long periodEvents = db.count("SELECT coalesce(sum(events), 0) FROM usage_periods WHERE org_id LIKE 'bench-org-%'");
            long charged = db.count("SELECT coalesce(sum(charged_micros), 0) FROM usage_events WHERE org_id LIKE 'bench-org-%'");
            long consumed = db.count("SELECT coalesce(sum(consumed_micros), 0) FROM usage_periods WHERE org_id LIKE 'bench-org-%'");
            check(rows == expected, "usage_events holds " + rows + " rows of the bench orgs, expected " + expected);
            check(periodEvents == expected, "usage_periods counts " + periodEvents + " events, expected " + expected);
            check(charged == consumed, "events were charged " + charged + " micro-credits but usage_periods says " + consumed);
            System.out.printf(Locale.ROOT, "  check: every event accepted; %,d rows in usage_events; rollup event count and credits (%,d micro-credits) match%n",
                    rows, charged);
            double commandsPerTx = writerBatches[1] / Math.max(1, writerBatches[0]);
            reportHttp(o, http, commandsPerTx, (long) writerBatches[0]);

            Phase raw = null;
            if (o.raw()) {
                raw = rawPhase(db, warm, timed, o.rawTxRows());
                reportRaw(o, raw);
                long rawRows = db.count("SELECT count(*) FROM usage_events WHERE org_id LIKE 'raw-org-%'");
                check(rawRows == expected, "usage_events holds " + rawRows + " raw rows, expected " + expected);
            }
            System.out.printf(Locale.ROOT, "  database size %,.0f MB%n", db.sizeBytes() / 1e6);
            return new Repetition(http, commandsPerTx, (long) writerBatches[0], raw);
        }
    }

    // ---- HTTP ----

    /** A thin HTTP/1.1 client with the operator key. */
    static final class Client {
        final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        final String base;

        Client(int port) {
            this.base = "http://127.0.0.1:" + port;
        }

        HttpResponse<byte[]> send(String method, String path, byte[] body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofMinutes(2))
                    .header("Authorization", "Bearer " + OPERATOR_KEY);
            if (body != null) {
                b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        }

        void expectOk(String method, String path, String body) throws Exception {
            HttpResponse<byte[]> r = send(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
            }
        }

        /** The server's writer histogram from /metrics: [transactions, commands]. */
        double[] writerBatches() throws Exception {
            String text = new String(send("GET", "/metrics", null).body(), StandardCharsets.UTF_8);
            double[] out = new double[2];
            for (String line : text.split("\n")) {
                if (line.startsWith("creditline_writer_batch_commands_count")) out[0] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                if (line.startsWith("creditline_writer_batch_commands_sum")) out[1] = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
            return out;
        }
    }

    private static void setUp(Client c, Options o) throws Exception {
        c.expectOk("PUT", "/v1/plans/" + Workload.PLAN_ID, """
                {"name": "Bench Team", "monthlyPrice": {"amount": "499.00", "currency": "USD"}, "creditsIncluded": "5000000",
                 "overage": "allow", "overagePricePerCredit": "0.01", "features": ["bench"]}""");
        for (Workload.BenchModel m : Workload.MODELS) c.expectOk("PUT", "/v1/models/" + m.id(), m.putBody());
        for (int org = 0; org < o.orgs(); org++) {
            c.expectOk("POST", "/v1/orgs", "{\"id\": \"" + Workload.orgId(org) + "\", \"name\": \"Bench org " + org + "\", \"planId\": \"" + Workload.PLAN_ID + "\"}");
        }
        // Members in parallel: the writer commits them in groups.
        Semaphore inFlight = new Semaphore(32);
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int org = 0; org < o.orgs(); org++) {
                for (int m = 0; m < o.members(); m++) {
                    String path = "/v1/orgs/" + Workload.orgId(org) + "/members/" + URLEncoder.encode(Workload.memberId(org, m), StandardCharsets.UTF_8);
                    inFlight.acquire();
                    ex.submit(() -> {
                        try {
                            c.expectOk("PUT", path, "{\"role\": \"member\"}");
                        } catch (Exception e) {
                            failed.compareAndSet(null, e);
                        } finally {
                            inFlight.release();
                        }
                    });
                }
            }
        }
        if (failed.get() != null) throw failed.get();
    }

    private static Phase timedHttp(Client client, Server server, BenchDb db, List<byte[]> bodies, int concurrency) throws Exception {
        BenchDb.PostgresCpu postgres = db.postgresCpu();
        long serverBefore = server.cpuNanos();
        Map<String, Long> threadsBefore = server.threadCpuNanos();
        long clientBefore = Server.processCpuNanos();
        long machineBefore = machineBusyNanos();
        long start = System.nanoTime();
        long[] latencies = new long[bodies.size()];
        long events = postAll(client, bodies, concurrency, latencies);
        long wall = System.nanoTime() - start;
        Map<String, Long> threads = new TreeMap<>(server.threadCpuNanos());
        threadsBefore.forEach((group, ns) -> threads.merge(group, -ns, Long::sum));
        long serverCpu = server.cpuNanos() - serverBefore;
        // In-process, the load generator's CPU is inside the server's: count it once.
        long clientCpu = server.inThisJvm() ? 0 : Server.processCpuNanos() - clientBefore;
        long machineBusy = machineBusyNanos() - machineBefore;
        long databaseCpu = 0;
        if (postgres != null) {
            databaseCpu = postgres.stop();
            postgres.close();
        }
        return new Phase(events, wall, latencies, new Cpu(serverCpu, threads, clientCpu, databaseCpu, machineBusy));
    }

    /**
     * Posts every body from {@code concurrency} threads (closed loop) and returns the number of
     * events accepted; fails on any non-200 response or any event not accepted.
     */
    private static long postAll(Client client, List<byte[]> bodies, int concurrency, long[] latencies) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        List<Future<?>> workers = new ArrayList<>();
        try (ExecutorService ex = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("client-", 0).factory())) {
            for (int w = 0; w < concurrency; w++) {
                workers.add(ex.submit(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < bodies.size()) {
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> r = client.send("POST", "/v1/usage", bodies.get(i));
                        if (latencies != null) latencies[i] = System.nanoTime() - t0;
                        byte[] body = r.body();
                        String tail = new String(body, Math.max(0, body.length - 120), Math.min(120, body.length), StandardCharsets.UTF_8);
                        Matcher m = COUNTS.matcher(tail);
                        if (r.statusCode() != 200 || !m.find() || !m.group(2).equals("0") || !m.group(3).equals("0")) {
                            next.set(bodies.size());
                            throw new IllegalStateException("batch " + i + ": HTTP " + r.statusCode() + ", not all events accepted: "
                                    + new String(body, 0, Math.min(600, body.length), StandardCharsets.UTF_8));
                        }
                        accepted.addAndGet(Long.parseLong(m.group(1)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get();
        }
        return accepted.get();
    }

    // ---- raw inserts ----

    private static Phase rawPhase(BenchDb db, List<Workload.Event> warm, List<Workload.Event> timed, int txRows) throws Exception {
        Ingester ingester = new Ingester(new Pricer(2), true); // the server's defaults: 2 decimals, metering on
        Map<String, Model> models = new HashMap<>();
        for (Workload.BenchModel m : Workload.MODELS) models.put(m.id(), m.asModel());
        List<List<PricedEvent>> warmBatches = priced(warm, txRows, ingester, models);
        List<List<PricedEvent>> timedBatches = priced(timed, txRows, ingester, models);
        BenchDb.ServerSql sql = new BenchDb.ServerSql(db.location.startsWith("sqlite:"));
        try (Database database = Database.open(db.location); Connection writer = BenchDb.openWriterConnection(database)) {
            long receivedMicros = Instant.now().toEpochMilli() * 1000;
            BenchDb.insertRaw(writer, sql, warmBatches, receivedMicros);
            var threads = ManagementFactory.getThreadMXBean();
            BenchDb.PostgresCpu postgres = db.postgresCpu();
            long threadBefore = threads.getCurrentThreadCpuTime();
            long processBefore = Server.processCpuNanos();
            long machineBefore = machineBusyNanos();
            BenchDb.RawResult r = BenchDb.insertRaw(writer, sql, timedBatches, receivedMicros);
            long thread = threads.getCurrentThreadCpuTime() - threadBefore;
            long process = Server.processCpuNanos() - processBefore;
            long machineBusy = machineBusyNanos() - machineBefore;
            long databaseCpu = 0;
            if (postgres != null) {
                databaseCpu = postgres.stop();
                postgres.close();
            }
            Cpu cpu = new Cpu(process, Map.of(Server.WRITER, thread), 0, databaseCpu, machineBusy);
            return new Phase(r.rows(), r.wallNanos(), r.batchNanos(), cpu);
        }
    }

    private static List<List<PricedEvent>> priced(List<Workload.Event> events, int batch, Ingester ingester, Map<String, Model> models) {
        List<List<PricedEvent>> out = new ArrayList<>();
        for (int from = 0; from < events.size(); from += batch) {
            List<PricedEvent> b = new ArrayList<>(batch);
            for (Workload.Event e : events.subList(from, Math.min(events.size(), from + batch))) {
                b.add(ingester.price(Workload.usageEvent(e, Workload.rawOrgId(e.org())), models.get(e.model().id())));
            }
            out.add(b);
        }
        return out;
    }

    // ---- measuring ----

    /** CPU time all cores of the machine spent busy so far (not idle, not waiting for I/O), from /proc/stat. */
    static long machineBusyNanos() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                if (i != 4 && i != 5) busy += Long.parseLong(f[i]); // skip idle and iowait
            }
            return busy * 10_000_000L;
        } catch (Exception e) {
            return -1;
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (Exception ignored) {
            // not Linux
        }
        return "unknown CPU";
    }

    // ---- reporting ----

    private static List<byte[]> serialize(List<Workload.Event> events, int batch) {
        List<byte[]> out = new ArrayList<>();
        for (int from = 0; from < events.size(); from += batch) {
            out.add(Workload.batchJson(events.subList(from, Math.min(events.size(), from + batch))));
        }
        return out;
    }

    private static void reportHttp(Options o, Phase p, double commandsPerTx, long transactions) {
        report("  HTTP", "events", p);
        long writer = p.cpu().threads().getOrDefault(Server.WRITER, 0L);
        System.out.printf(Locale.ROOT, "        %.1f requests per write transaction (%,d transactions); the writer thread was on CPU %.0f%% of the time%n",
                commandsPerTx, transactions, 100.0 * writer / p.wallNanos());
        StringBuilder groups = new StringBuilder();
        for (String group : List.of(Server.WRITER, Server.REQUESTS, Server.JIT, Server.GC, Server.OTHER)) {
            groups.append(String.format(Locale.ROOT, ", %s %.1f", group, p.usPerEvent(p.cpu().threads().getOrDefault(group, 0L))));
        }
        System.out.printf(Locale.ROOT, "        CPU per event (us): server %.1f (%s)%s%n", p.usPerEvent(p.cpu().process()), groups.substring(2),
                o.db().equals("postgres") ? String.format(Locale.ROOT, "; PostgreSQL %.1f", p.usPerEvent(p.cpu().database())) : "");
        System.out.printf(Locale.ROOT, "        machine: %.0f%% of %d cores busy: server%s %.0f%%, %sload generator %.0f%%, other processes %.0f%%%s%n",
                100.0 * p.cpu().machineBusy() / p.wallNanos() / CORES, CORES, o.server().equals("process") ? "" : " + load generator",
                100.0 * p.cpu().process() / p.wallNanos(),
                o.db().equals("postgres") ? String.format(Locale.ROOT, "PostgreSQL %.0f%%, ", 100.0 * p.cpu().database() / p.wallNanos()) : "",
                100.0 * p.cpu().client() / p.wallNanos(), 100.0 * p.cpu().others() / p.wallNanos(),
                p.shared() ? "  <- SHARED: other work took CPU, this figure is low" : "");
    }

    private static void reportRaw(Options o, Phase p) {
        report("  raw ", "rows", p);
        System.out.printf(Locale.ROOT, "        CPU per row (us): inserting thread %.1f%s; machine: %.0f%% of %d cores busy, other processes %.0f%%%s%n",
                p.usPerEvent(p.cpu().threads().get(Server.WRITER)),
                o.db().equals("postgres") ? String.format(Locale.ROOT, ", PostgreSQL %.1f", p.usPerEvent(p.cpu().database())) : "",
                100.0 * p.cpu().machineBusy() / p.wallNanos() / CORES, CORES, 100.0 * p.cpu().others() / p.wallNanos(),
                p.shared() ? "  <- SHARED: other work took CPU, this figure is low" : "");
    }

    private static void report(String what, String unit, Phase p) {
        long[] sorted = p.batchNanos().clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%s: %,d %s in %.2f s = %,.0f %s/s; per batch p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                what, p.events(), unit, p.wallNanos() / 1e9, p.perSecond(), unit,
                percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))];
    }

    private static void summary(Options o, List<Repetition> reps) {
        System.out.printf(Locale.ROOT, "%nsummary: %s, %d repetition%s, median [min - max]%n", o.db(), reps.size(), reps.size() == 1 ? "" : "s");
        double[] http = values(reps, r -> r.http().perSecond());
        System.out.printf(Locale.ROOT, "  HTTP durable ingest    %s events/s%n", spread(http, "%,.0f"));
        System.out.printf(Locale.ROOT, "  HTTP batch latency     p50 %s ms, p99 %s ms%n",
                spread(values(reps, r -> pct(r.http().batchNanos(), 0.50) / 1e6), "%,.0f"),
                spread(values(reps, r -> pct(r.http().batchNanos(), 0.99) / 1e6), "%,.0f"));
        System.out.printf(Locale.ROOT, "  server CPU per event   %s us (writer thread %s us)%s%n",
                spread(values(reps, r -> r.http().usPerEvent(r.http().cpu().process())), "%.1f"),
                spread(values(reps, r -> r.http().usPerEvent(r.http().cpu().threads().getOrDefault(Server.WRITER, 0L))), "%.1f"),
                o.db().equals("postgres") ? "; PostgreSQL " + spread(values(reps, r -> r.http().usPerEvent(r.http().cpu().database())), "%.1f") + " us" : "");
        System.out.printf(Locale.ROOT, "  requests per write tx  %s%n", spread(values(reps, Repetition::commandsPerTx), "%.1f"));
        if (o.raw()) {
            double[] raw = values(reps, r -> r.raw().perSecond());
            double[] ratio = new double[reps.size()];
            for (int i = 0; i < ratio.length; i++) ratio[i] = http[i] / raw[i];
            System.out.printf(Locale.ROOT, "  raw insert             %s rows/s (%,d rows per transaction, one connection)%n", spread(raw, "%,.0f"), o.rawTxRows());
            System.out.printf(Locale.ROOT, "  HTTP / raw             %s%n", spread(ratio, "%.2f"));
        }
        long shared = reps.stream().filter(r -> r.http().shared() || (r.raw() != null && r.raw().shared())).count();
        if (shared > 0) {
            System.out.printf(Locale.ROOT, "  %d of %d repetitions ran while other processes took more than %.1f cores: rerun on a quiet machine%n",
                    shared, reps.size(), SHARED_CORES);
        }
        double target = o.db().equals("sqlite") ? 150_000 : 80_000;
        System.out.printf(Locale.ROOT, "  target %,.0f events/s: %s (median %.0f%% of it)%n", target, median(http) >= target ? "met" : "NOT met",
                100 * median(http) / target);
    }

    private static double[] values(List<Repetition> reps, ToDoubleFunction<Repetition> f) {
        return reps.stream().mapToDouble(f).toArray();
    }

    private static double pct(long[] values, double p) {
        long[] s = values.clone();
        Arrays.sort(s);
        return percentile(s, p);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String spread(double[] v, String format) {
        double[] s = v.clone();
        Arrays.sort(s);
        String m = String.format(Locale.ROOT, format, median(s));
        if (s.length == 1) return m;
        return m + " [" + String.format(Locale.ROOT, format, s[0]) + " - " + String.format(Locale.ROOT, format, s[s.length - 1]) + "]";
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalStateException("check failed: " + message);
    }

    // ---- options ----

    static final String USAGE = """
            usage: bench/run ingest [options]
              --db sqlite|postgres     database (sqlite)
              --events N               timed events (1,000,000)
              --batch B                events per POST /v1/usage (1,000; the API takes up to 10,000)
              --concurrency C          client threads, each with one request in flight (16)
              --orgs K, --members M    orgs, and members per org, the events are spread over (20, 50)
              --warmup W               events posted before timing (300,000 or N/2 if smaller)
              --repeat R               repetitions, each on a fresh database (1)
              --server process|inproc  server in a child JVM like bin/creditline serve, or in this JVM (process)
              --ids random|sequential  event ids: random 128-bit hex, or time-ordered (random)
              --no-raw                 skip the raw-insert phase
              --raw-tx ROWS            rows per transaction in the raw-insert phase (the batch size)
              --server-opt OPTION      extra JVM option for the child server, repeatable (e.g. -XX:StartFlightRecording=...)
              --pg-url JDBC_URL        PostgreSQL to create the bench database on (jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres)
              --keep                   keep the databases
              --seed S                 workload seed (42)""";

    private static Options parse(String[] args) {
        String db = "sqlite";
        Integer events = null, warmup = null, rawTx = null;
        int batch = 1_000, concurrency = 16, orgs = 20, members = 50, repeat = 1;
        String server = "process";
        boolean sequential = false, raw = true, keep = false;
        List<String> serverOpts = new ArrayList<>();
        String pgUrl = "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres";
        long seed = 42;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--db" -> db = value(args, ++i, a);
                case "--events" -> events = number(args, ++i, a);
                case "--batch" -> batch = number(args, ++i, a);
                case "--concurrency" -> concurrency = number(args, ++i, a);
                case "--orgs" -> orgs = number(args, ++i, a);
                case "--members" -> members = number(args, ++i, a);
                case "--warmup" -> warmup = number(args, ++i, a);
                case "--repeat" -> repeat = number(args, ++i, a);
                case "--server" -> server = value(args, ++i, a);
                case "--ids" -> sequential = switch (value(args, ++i, a)) {
                    case "sequential" -> true;
                    case "random" -> false;
                    default -> throw usage("--ids is random or sequential");
                };
                case "--no-raw" -> raw = false;
                case "--raw-tx" -> rawTx = number(args, ++i, a);
                case "--server-opt" -> serverOpts.add(value(args, ++i, a));
                case "--pg-url" -> pgUrl = value(args, ++i, a);
                case "--keep" -> keep = true;
                case "--seed" -> seed = number(args, ++i, a);
                case "-h", "--help" -> {
                    System.out.println(USAGE);
                    System.exit(0);
                }
                default -> throw usage("unknown argument '" + a + "'");
            }
        }
        if (!db.equals("sqlite") && !db.equals("postgres")) throw usage("--db is sqlite or postgres");
        if (!server.equals("process") && !server.equals("inproc")) throw usage("--server is process or inproc");
        if (batch < 1 || batch > 10_000) throw usage("--batch is 1 to 10,000 events (the API's limit)");
        if (concurrency < 1 || concurrency > 256) throw usage("--concurrency is 1 to 256 client threads");
        if (orgs < 1 || orgs > 999 || members < 1 || members > 9_999) throw usage("--orgs is 1 to 999, --members 1 to 9,999");
        if (repeat < 1 || repeat > 50) throw usage("--repeat is 1 to 50");
        int n = events != null ? events : 1_000_000;
        if (n < batch || n > 20_000_000) throw usage("--events is one batch to 20,000,000");
        int w = warmup != null ? warmup : Math.min(300_000, n / 2) / batch * batch;
        if (w < 0) throw usage("--warmup must not be negative");
        int tx = rawTx != null ? rawTx : batch;
        if (tx < 1 || tx > 100_000) throw usage("--raw-tx is 1 to 100,000 rows");
        return new Options(db, n, batch, concurrency, orgs, members, w, repeat, server, sequential, raw, tx, serverOpts, pgUrl, keep, seed);
    }

    private static IllegalArgumentException usage(String message) {
        System.err.println("bench: " + message);
        System.err.println(USAGE);
        System.exit(2);
        return new IllegalArgumentException(message);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw usage(option + " needs a value");
        return args[i];
    }

    private static int number(String[] args, int i, String option) {
        try {
            return Integer.parseInt(value(args, i, option).replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw usage(option + " needs a whole number, got '" + args[i] + "'");
        }
    }
}
