package creditline.bench;

import creditline.app.Config;
import creditline.app.Creditline;
import creditline.pricing.TokenCounts;
import creditline.store.Store;
import creditline.usage.UsageEvent;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The store without HTTP: the same enforcement workloads as {@link EnforcementBench}, called on
 * {@link Store} from platform threads in this JVM, with the CPU each operation costs (whole
 * process and the writer thread). Separates what the store costs from what the HTTP stack costs.
 * Usage: {@code bench/run store [--db sqlite|postgres] [--seconds S] [--clients C] [--batch N] [--only authorize|ingest|reserve]}.
 */
public final class StoreBench {
    interface Op { void run(Store store, int client, long seq); }

    /** Unique across runs: event ids must never repeat. */
    private static final AtomicLong SEQ = new AtomicLong();
    private static final boolean VIRTUAL = Boolean.getBoolean("bench.virtual");

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = EnforcementBench.Args.parse(args);
        String dbKind = opts.getOrDefault("db", "sqlite");
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "5"));
        int clients = Integer.parseInt(opts.getOrDefault("clients", "32"));
        Path root = Path.of(System.getProperty("creditline.root", "."));
        Path work = Files.createDirectories(root.resolve("bench/target/store-" + UUID.randomUUID().toString().substring(0, 8)));
        String pgAdmin = opts.getOrDefault("pg-url", "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        String db = dbKind.equals("postgres") ? EnforcementBench.freshPostgres(pgAdmin) : "sqlite:" + work.resolve("store.db");
        Config d = Config.fromEnv(System.getenv()); // CREDITLINE_POSTGRES_WRITERS, as a server would read it
        Config config = new Config("127.0.0.1", 0, db, EnforcementBench.KEY, work, d.chargeScale(), d.creditsPerUsd(), d.meteringOn(),
                d.reservationTtlSeconds(), d.webhookRetryBaseMs(), d.postgresWriters(), d.webhookPrivateAddresses());
        System.out.printf("machine: %d cores; JDK %s; %d client threads; %d s per run after a 3 s warm-up; database %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), clients, seconds, dbKind);
        try (Creditline app = Creditline.start(config, Clock.systemUTC())) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            EnforcementBench.setUp(http, "http://127.0.0.1:" + app.port(), clients);
            Store store = app.store();
            String only = opts.getOrDefault("only", "all"); // authorize | ingest | reserve | all
            if (only.equals("all") || only.equals("authorize")) run("authorize (no reservation)", store, clients, seconds, (s, c, seq) ->
                    s.authorize("bench", "m" + (c % 100) + "@bench.io", "reply", "chat", 0, null));
            int batch = Integer.parseInt(opts.getOrDefault("batch", "1000"));
            if (only.equals("all") || only.equals("ingest")) run("ingest, " + batch + " events per call (ops = events)", store, Math.min(clients, 8), seconds, (s, c, seq) -> {
                List<UsageEvent> events = new ArrayList<>(batch);
                java.time.Instant now = java.time.Instant.now();
                for (int i = 0; i < batch; i++) {
                    events.add(new UsageEvent(UUID.randomUUID().toString(), "bench", "m" + (i % 100) + "@bench.io", "reply", "chat",
                            now, new TokenCounts(1200, 300, 0, 0), 0, null, false, UsageEvent.Details.NONE));
                }
                s.ingest(events);
            }, batch);
            if (only.equals("all") || only.equals("reserve")) run("reserve + settle, one hot member", store, clients, seconds, (s, c, seq) -> {
                var a = s.authorize("bench", "hot@bench.io", "reply", "chat", 1_000_000, 600L);
                if (a.reservation() == null) throw new IllegalStateException("not reserved: " + a.decision());
                var out = s.ingest(List.of(new UsageEvent("e-" + c + "-" + seq, "bench", "hot@bench.io", "reply", "chat",
                        java.time.Instant.now(), TokenCounts.ZERO, 0, a.reservation().id(), false, UsageEvent.Details.NONE)));
                if (out.get(0).status() != creditline.usage.EventOutcome.Status.ACCEPTED) throw new IllegalStateException("not accepted: " + out.get(0));
            });
        } finally {
            if (dbKind.equals("postgres")) EnforcementBench.dropPostgres(pgAdmin, db);
        }
    }

    static void run(String name, Store store, int clients, int seconds, Op op) throws Exception {
        run(name, store, clients, seconds, op, 1);
    }

    /** @param opWeight operations one call of {@code op} counts for */
    static void run(String name, Store store, int clients, int seconds, Op op, int opWeight) throws Exception {
        measure(store, clients, 3, op);
        long cpu0 = Server.processCpuNanos();
        long writer0 = writerCpu();
        long[] r = measure(store, clients, seconds, op);
        r[0] *= opWeight;
        long cpu = Server.processCpuNanos() - cpu0;
        long writer = writerCpu() - writer0;
        double elapsed = r[1] / 1e9;
        System.out.printf("%-34s %9.0f ops/s   CPU %6.1f µs/op (writer thread %6.1f µs/op)   (%d ops in %.1f s)%n",
                name, r[0] / elapsed, cpu / 1e3 / r[0], writer / 1e3 / r[0], r[0], elapsed);
    }

    private static long writerCpu() {
        return Server.thisJvmThreadCpuNanos().getOrDefault(Server.WRITER, 0L);
    }

    /** [ops, elapsed nanos] */
    private static long[] measure(Store store, int clients, int seconds, Op op) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ops = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            threads.add((VIRTUAL ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
                try {
                    while (!stop.get()) {
                        op.run(store, client, SEQ.incrementAndGet());
                        ops.incrementAndGet();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        Thread.sleep(seconds * 1_000L);
        stop.set(true);
        for (Thread t : threads) t.join();
        long elapsed = System.nanoTime() - start;
        if (!failures.isEmpty()) throw new IllegalStateException("a client failed", failures.get(0));
        return new long[] {ops.get(), elapsed};
    }
}
