package creditline.bench.analytics;

import creditline.app.Config;
import creditline.app.Creditline;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.plan.Plan;
import creditline.pricing.Credits;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.store.Database;
import creditline.store.Store;
import creditline.usage.EventOutcome;
import creditline.usage.UsageEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * The usage-analytics benchmark: one org with {@code --events} events by {@code --members}
 * members over {@code --days} days, recorded through the real ingest path (pricing, ledger,
 * rollups) in process, then timed over HTTP against the real server: the summary, member table
 * pages, a member's own usage, and the streamed request-level export. Reports storage bytes per
 * event too. PostgreSQL may instead be filled from a recorded SQLite database ({@code --copy-from}).
 * See BENCHMARKS.md ("Analytics").
 */
public final class AnalyticsBench {
    static final String ORG = "bench";
    static final Instant NOW = Instant.parse("2026-11-16T00:00:00Z");
    static final String KEY = "bench-operator-key";
    static final String[] ACTIVITIES = {"chat", "agent", "remote_agent", "cli_agent", "prompt_enhancer", "code_review", "context_compression", "system"};
    static final String[] AGENTS = {"pr-reviewer", "support-bot", "refactor-agent", "test-writer", "release-bot"};
    static final String[] MODELS = {"claude-sonnet", "claude-opus", "claude-haiku", "gpt-5", "gpt-5-mini", "gpt-4o", "gemini-pro",
            "gemini-flash", "o3", "llama-local", "mistral-large", "deepseek"};

    public static void main(String[] args) throws Exception {
        Map<String, String> opt = options(args);
        String db = opt.getOrDefault("db", "sqlite:bench/target/analytics.db");
        long events = Long.parseLong(opt.getOrDefault("events", "10000000"));
        int members = Integer.parseInt(opt.getOrDefault("members", "10000"));
        int days = Integer.parseInt(opt.getOrDefault("days", "30"));
        int queries = Integer.parseInt(opt.getOrDefault("queries", "300"));
        long seed = Long.parseLong(opt.getOrDefault("seed", "20261116"));
        boolean skipExport = opt.containsKey("no-export");

        Config config = new Config("127.0.0.1", 0, db, KEY, Files.createTempDirectory("bench-data"), 2, new BigDecimal("100"), true, 600, 1000, 2, true);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        long have = recorded(db);
        if (have != events) {
            if (have > 0) throw new IllegalStateException(db + " holds " + have + " events of org " + ORG + ", not " + events + "; delete it or pass --db");
            if (opt.containsKey("copy-from")) {
                copy(opt.get("copy-from"), db);
                if (recorded(db) != events) throw new IllegalStateException(opt.get("copy-from") + " does not hold " + events + " events of org " + ORG);
            } else {
                record(config, clock, events, members, days, seed);
            }
        } else {
            System.out.printf("reusing %s: %,d events of org %s%n", db, events, ORG);
            // A database recorded before a newer migration is migrated here, timed (the server would do it on start).
            long t0 = System.nanoTime();
            Database.open(db).close();
            System.out.printf("opened and migrated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        }
        if (!db.startsWith("sqlite:")) vacuumAnalyze(db);
        storage(db, events);

        try (Creditline app = Creditline.start(config, clock)) {
            Http http = new Http("http://127.0.0.1:" + app.port());
            SplittableRandom r = new SplittableRandom(seed);
            LocalDate last = LocalDate.ofInstant(NOW, ZoneOffset.UTC);
            LocalDate first = last.minusDays(days);
            String full = "from=" + first + "&to=" + last;
            IntFunction<String> window = w -> {
                LocalDate from = first.plusDays(r.nextInt(Math.max(1, days - w + 1)));
                return "from=" + from + "&to=" + from.plusDays(w);
            };
            String base = "/v1/orgs/" + ORG + "/usage";
            time(http, "summary, the whole " + days + " days", queries, i -> base + "/summary?" + full);
            time(http, "summary, a random 7-day window", queries, i -> base + "/summary?" + window.apply(7));
            time(http, "member table page (50 rows, by credits), " + days + " days", queries,
                    i -> base + "/members?" + full + "&pageSize=50&page=" + (1 + r.nextInt(Math.max(1, members / 50))));
            time(http, "member table page (50 rows, by member), " + days + " days", queries,
                    i -> base + "/members?" + full + "&sort=member&pageSize=50&page=" + (1 + r.nextInt(Math.max(1, members / 50))));
            time(http, "member table search ('" + "user1" + "'), " + days + " days", Math.max(1, queries / 3),
                    i -> base + "/members?" + full + "&search=user1" + r.nextInt(10) + "&pageSize=50");
            time(http, "member table page, a random 7-day window", queries,
                    i -> base + "/members?" + window.apply(7) + "&pageSize=50&page=" + (1 + r.nextInt(Math.max(1, members / 50))));
            // A range ending today that starts inside the members' history: the dashboard's "last N days" of an org older than N days.
            time(http, "member table page, the last 7 days", queries,
                    i -> base + "/members?from=" + last.minusDays(7) + "&to=" + last + "&pageSize=50&page=" + (1 + r.nextInt(Math.max(1, members / 50))));
            time(http, "member table page, a random range of 1-" + days + " days", queries,
                    i -> base + "/members?" + window.apply(1 + r.nextInt(days)) + "&pageSize=50&page=" + (1 + r.nextInt(Math.max(1, members / 50))));
            String memberKey = app.store().createKey(ORG, Role.MEMBER, member(0)).key();
            Http me = new Http("http://127.0.0.1:" + app.port(), memberKey);
            time(me, "my usage (a member's summary and budget card), " + days + " days", queries, i -> "/v1/me/usage?" + full);
            time(http, "models.csv, " + days + " days", Math.max(1, queries / 3), i -> base + "/models.csv?" + full);
            if (!skipExport) {
                export(http, base + "/events?" + full, "CSV");
                export(http, base + "/events?" + full + "&format=jsonl", "JSON Lines");
                export(http, base + "/members.csv?" + full, "members.csv");
            }
        }
    }

    /** Records the events through the real ingest path ({@code Store.ingest} in process). */
    static void record(Config config, Clock clock, long events, int members, int days, long seed) throws Exception {
        Store store = Creditline.openStore(config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            generate(store, events, members, days, seed);
        } finally {
            store.close();
            store.database().close();
        }
    }

    /**
     * Bench only, {@code --copy-from sqlite:PATH}: fills an empty PostgreSQL database with every
     * table of a SQLite bench database recorded through the real ingest path, by COPY (recording
     * 10 M events through the ingest path on PostgreSQL here runs at about 1,200 events/s). The
     * schema comes from the migrations; the rows, rollups included, are the SQLite database's.
     */
    static void copy(String from, String to) throws Exception {
        if (!from.startsWith("sqlite:") || !to.startsWith("jdbc:postgresql:")) throw new IllegalArgumentException("--copy-from copies sqlite:PATH into PostgreSQL");
        Database.open(from).close();
        Database.open(to).close();
        long t0 = System.nanoTime();
        try (Connection src = connect(from); Connection dst = connect(to); Statement q = dst.createStatement()) {
            dst.setAutoCommit(false);
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = q.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                    + " AND table_type = 'BASE TABLE' AND table_name <> 'flyway_schema_history' ORDER BY table_name")) {
                while (rs.next()) tables.add(rs.getString(1));
            }
            CopyManager copier = dst.unwrap(PGConnection.class).getCopyAPI();
            for (String table : tables) {
                List<String> columns = new ArrayList<>();
                try (ResultSet rs = q.executeQuery("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
                        + " AND table_name = '" + table + "' ORDER BY ordinal_position")) {
                    while (rs.next()) columns.add(rs.getString(1));
                }
                q.execute("TRUNCATE " + table);
                String list = String.join(", ", columns);
                CopyIn in = copier.copyIn("COPY " + table + " (" + list + ") FROM STDIN (FORMAT csv)");
                long rows = 0;
                try (Statement read = src.createStatement(); ResultSet rs = read.executeQuery("SELECT " + list + " FROM " + table)) {
                    // CSV: NULL as an empty unquoted field, every value quoted (numbers and 0/1 booleans read back as such).
                    StringBuilder csv = new StringBuilder(1 << 20);
                    while (rs.next()) {
                        for (int k = 1; k <= columns.size(); k++) {
                            if (k > 1) csv.append(',');
                            String v = rs.getString(k);
                            if (v != null) csv.append('"').append(v.replace("\"", "\"\"")).append('"');
                        }
                        csv.append('\n');
                        rows++;
                        if (csv.length() > 1 << 20) {
                            writeCopy(in, csv);
                        }
                    }
                    writeCopy(in, csv);
                    in.endCopy();
                } finally {
                    if (in.isActive()) in.cancelCopy();
                }
                System.out.printf("copied %s: %,d rows (%.0f s so far)%n", table, rows, (System.nanoTime() - t0) / 1e9);
            }
            dst.commit();
        }
        System.out.printf("copied %s into %s in %.0f s%n", from, to, (System.nanoTime() - t0) / 1e9);
    }

    private static void writeCopy(CopyIn in, StringBuilder csv) throws Exception {
        byte[] b = csv.toString().getBytes(StandardCharsets.UTF_8);
        in.writeToCopy(b, 0, b.length);
        csv.setLength(0);
    }

    static String member(int i) {
        return i % 50 == 49 ? "SA bot-" + i : "user" + i + "@bench.example";
    }

    // ---- generation ----

    static void generate(Store store, long events, int members, int days, long seed) throws Exception {
        long t0 = System.nanoTime();
        store.putPlan(new Plan("bench", "Bench", 0, "USD", Credits.parseMicros("100000000"), null, Plan.Overage.ALLOW, null, List.of(), false));
        Instant longAgo = Instant.parse("2026-01-01T00:00:00Z");
        for (int m = 0; m < MODELS.length; m++) {
            String id = MODELS[m];
            Rates rates = id.equals("gpt-4o") ? new Rates(null, null, null, null, null, Credits.parseMicros("5"), null)
                    : new Rates(Credits.parseMicros(String.valueOf(30 + 40 * m)), Credits.parseMicros(String.valueOf(150 + 100 * m)),
                    Credits.parseMicros("37.5"), Credits.parseMicros("3"), null, null, null);
            store.putModel(id, id, "bench", id.equals("llama-local"), rates, longAgo);
        }
        store.createOrg(ORG, "Bench Org", "bench");
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> pending = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            String id = member(i);
            pending.add(pool.submit(() -> store.putMember(ORG, id, Role.MEMBER, Member.typeOf(id))));
        }
        for (Future<?> f : pending) f.get();
        pool.shutdown();
        long t1 = System.nanoTime();
        System.out.printf("setup: %d models, %,d members in %d ms%n", MODELS.length, members, (t1 - t0) / 1_000_000);

        int threads = 2;
        int batch = 5_000;
        AtomicLong done = new AtomicLong();
        ExecutorService writers = Executors.newFixedThreadPool(threads);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            SplittableRandom r = new SplittableRandom(seed * 31 + t);
            work.add(writers.submit(() -> {
                // Threads take alternate batches, so the events arrive roughly in time order.
                List<UsageEvent> buf = new ArrayList<>(batch);
                for (long from = (long) thread * batch; from < events; from += (long) threads * batch) {
                    for (long i = from; i < Math.min(events, from + batch); i++) buf.add(event(r, i, events, members, days));
                    for (EventOutcome o : store.ingest(buf)) {
                        if (o.status() != EventOutcome.Status.ACCEPTED) throw new IllegalStateException(o.toString());
                    }
                    long n = done.addAndGet(buf.size());
                    buf.clear();
                    if (n % 500_000 < batch) System.out.printf("  %,d events recorded (%.0f events/s)%n", n, n * 1e9 / (System.nanoTime() - t1));
                }
                return null;
            }));
        }
        for (Future<?> f : work) f.get();
        writers.shutdown();
        long t2 = System.nanoTime();
        System.out.printf("recorded %,d events in %.1f s through Store.ingest (pricing, ledger, rollups; %d threads, %,d per call): %.0f events/s%n",
                events, (t2 - t1) / 1e9, threads, batch, events * 1e9 / (t2 - t1));
    }

    /**
     * Event {@code i} of {@code n}: in time order over the range, as usage arrives (2% arrive up to
     * 3 days late); each member has a main model and activity (the usual shape of real usage: a
     * few models and activities per person); agents on a third.
     */
    static UsageEvent event(SplittableRandom r, long i, long n, int members, int days) {
        int m = r.nextInt(members);
        int pick = r.nextInt(10);
        String model = MODELS[pick < 7 ? m % MODELS.length : pick < 9 ? (m / 7) % MODELS.length : r.nextInt(MODELS.length)];
        String activity = ACTIVITIES[r.nextInt(10) < 6 ? m % ACTIVITIES.length : r.nextInt(ACTIVITIES.length)];
        String agent = r.nextInt(3) == 0 ? AGENTS[(m + r.nextInt(2)) % AGENTS.length] : null;
        long rangeSeconds = days * 86_400L;
        long second = Math.min(rangeSeconds - 1, i * rangeSeconds / n + (r.nextInt(50) == 0 ? -r.nextLong(3 * 86_400L) : 0));
        Instant at = NOW.minusSeconds(rangeSeconds).plusSeconds(Math.max(0, second));
        TokenCounts tokens = new TokenCounts(200 + r.nextInt(20_000), 50 + r.nextInt(4_000), r.nextInt(8) == 0 ? r.nextInt(10_000) : 0,
                r.nextInt(2) == 0 ? r.nextInt(50_000) : 0);
        UsageEvent.Details d = new UsageEvent.Details(agent, "conv-" + (i / 20), null, null, (long) (300 + r.nextInt(20_000)), "success",
                "eu-west-1", 0L, null, null, null, null);
        return new UsageEvent("ev-" + i, ORG, member(m), model, activity, at, tokens, r.nextInt(4), null, false, d);
    }

    static long recorded(String db) {
        try (Connection c = connect(db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM usage_events WHERE org_id = '" + ORG + "'")) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            return 0; // no database or no schema yet
        }
    }

    static Connection connect(String db) throws Exception {
        return DriverManager.getConnection(db.startsWith("sqlite:") ? "jdbc:" + db : db);
    }

    /**
     * PostgreSQL: VACUUM ANALYZE, what autovacuum does on a deployed server (the PostgreSQL this
     * bench was run on has autovacuum off). Without statistics the planner takes the freshly
     * recorded tables for empty and may scan a whole index where a few lookups do; without
     * vacuuming, the storage figures count the dead row versions the rollup updates leave.
     */
    static void vacuumAnalyze(String db) throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            s.execute("VACUUM ANALYZE");
        }
        System.out.printf("VACUUM ANALYZE in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** Bytes per event: the whole database, the events table and the rollups. */
    static void storage(String db, long events) throws Exception {
        Map<String, Long> bytes = new LinkedHashMap<>();
        try (Connection c = connect(db); Statement s = c.createStatement()) {
            if (db.startsWith("sqlite:")) {
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                bytes.put("database file", Files.size(Path.of(db.substring("sqlite:".length()))));
                try (ResultSet rs = s.executeQuery("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC")) {
                    while (rs.next()) bytes.put(rs.getString(1), rs.getLong(2));
                } catch (Exception noDbstat) {
                    // the driver was built without dbstat: only the file size
                }
            } else {
                try (ResultSet rs = s.executeQuery("SELECT pg_database_size(current_database())")) {
                    rs.next();
                    bytes.put("database", rs.getLong(1));
                }
                try (ResultSet rs = s.executeQuery("SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r'"
                        + " AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC")) {
                    while (rs.next()) bytes.put(rs.getString(1) + " (with indexes)", rs.getLong(2));
                }
            }
            for (String table : List.of("usage_events", "usage_org_models", "usage_org_activities", "usage_member_models", "usage_member_activities",
                    "usage_member_totals", "usage_member_blocks")) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                    rs.next();
                    System.out.printf("rows in %s: %,d%n", table, rs.getLong(1));
                } catch (SQLException absent) {
                    System.out.printf("rows in %s: no such table (an older schema)%n", table); // the bench run against an older build
                }
            }
        }
        int shown = 0;
        for (var e : bytes.entrySet()) {
            if (shown++ > 12) break;
            System.out.printf("storage %-40s %,15d bytes  %7.1f bytes/event%n", e.getKey(), e.getValue(), e.getValue() / (double) events);
        }
    }

    // ---- timing ----

    static void time(Http http, String what, int n, IntFunction<String> path) throws Exception {
        for (int i = 0; i < Math.min(50, n); i++) http.get(path.apply(i)); // warm-up
        long[] nanos = new long[n];
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            String p = path.apply(i);
            long t0 = System.nanoTime();
            bytes += http.get(p);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        System.out.printf("%-62s n=%-4d p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%,d bytes avg)  load %.1f%n", what, n,
                nanos[n / 2] / 1e6, nanos[(int) Math.ceil(n * 0.95) - 1] / 1e6, nanos[(int) Math.ceil(n * 0.99) - 1] / 1e6, nanos[n - 1] / 1e6,
                bytes / n, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }

    /**
     * Streams an export and prints its rate, and the CPU it took per row — of the whole JVM
     * (server, export threads and this client) and of the export's database-reading thread alone
     * (sampled every 100 ms while it lives) — figures that depend less on the machine's load.
     */
    static void export(Http http, String path, String what) throws Exception {
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<Long, Long> readerCpu = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sampler = Thread.ofPlatform().daemon().name("bench-cpu-sampler").start(() -> {
            while (!done.get()) {
                for (Thread t : Thread.getAllStackTraces().keySet()) {
                    if (t.getName().equals("creditline-export-reader")) readerCpu.merge(t.threadId(), threads.getThreadCpuTime(t.threadId()), Math::max);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long cpu0 = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        long t0 = System.nanoTime();
        long[] counted = http.stream(path);
        double s = (System.nanoTime() - t0) / 1e9;
        long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() - cpu0;
        done.set(true);
        sampler.join();
        long rows = counted[0] - (what.equals("JSON Lines") ? 0 : 1);
        long reader = readerCpu.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("export %-12s %,d rows (%,d bytes) in %.1f s: %,.0f rows/s, %.0f MB/s; CPU per row %.2f µs (JVM), %.2f µs (reading thread)%n",
                what, rows, counted[1], s, counted[0] / s, counted[1] / s / 1e6, cpu / 1e3 / Math.max(1, rows), reader / 1e3 / Math.max(1, rows));
    }

    /** A tiny HTTP client: GET with the key, the whole body counted, never kept. */
    static final class Http {
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final String base;
        private final String key;

        Http(String base) {
            this(base, KEY);
        }

        Http(String base, String key) {
            this.base = base;
            this.key = key;
        }

        long get(String path) throws IOException, InterruptedException {
            HttpResponse<byte[]> r = client.send(request(path), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) throw new IllegalStateException(path + " -> " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
            return r.body().length;
        }

        /** Streams the body; returns {lines, bytes}. */
        long[] stream(String path) throws IOException, InterruptedException {
            HttpResponse<InputStream> r = client.send(request(path), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() != 200) throw new IllegalStateException(path + " -> " + r.statusCode());
            long lines = 0;
            long bytes = 0;
            byte[] buf = new byte[1 << 16];
            try (InputStream in = r.body()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    bytes += n;
                    for (int k = 0; k < n; k++) if (buf[k] == '\n') lines++;
                }
            }
            return new long[] {lines, bytes};
        }

        private HttpRequest request(String path) {
            return HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + key).timeout(Duration.ofMinutes(30)).build();
        }
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) throw new IllegalArgumentException("unexpected argument " + args[i]);
            String name = args[i].substring(2);
            if (name.equals("no-export")) out.put(name, "true");
            else out.put(name, args[++i]);
        }
        return out;
    }
}
