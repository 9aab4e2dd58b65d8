package creditline.bench;

import creditline.app.Config;
import creditline.app.Creditline;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Creditline under test: in this JVM ({@link Creditline#start}), or a child JVM started like
 * {@code bin/creditline serve} (same GC flag), so the load generator's allocation and JIT do not
 * share the server's heap.
 */
abstract class Server implements AutoCloseable {
    abstract int port();

    /** True when the server runs in this JVM, so its CPU includes the load generator's. */
    abstract boolean inThisJvm();

    /** Stops the server. */
    @Override
    public abstract void close();

    /** CPU time consumed by the server's process so far, in nanoseconds (this JVM's when in-process). */
    abstract long cpuNanos();

    /**
     * CPU time so far per thread group of the server, in nanoseconds: {@link #WRITER} (the one
     * writer thread), {@link #REQUESTS} (carriers of the virtual threads that run requests),
     * {@link #JIT}, {@link #GC} and {@link #OTHER}; empty if unknown.
     */
    abstract Map<String, Long> threadCpuNanos();

    static final String WRITER = "writer", REQUESTS = "requests", JIT = "JIT", GC = "GC", OTHER = "other";

    static String group(String threadName) {
        if (threadName.startsWith("creditline-writ")) return WRITER;
        if (threadName.startsWith("ForkJoinPool")) return REQUESTS;
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) return JIT;
        if (threadName.startsWith("GC Thread") || threadName.startsWith("VM Thread")) return GC;
        return OTHER;
    }

    abstract String describe();


    static Server inProcess(String db, String operatorKey, Path dataDir) {
        Config defaults = Config.fromEnv(System.getenv()); // CREDITLINE_POSTGRES_WRITERS, as a server would read it
        Config config = new Config("127.0.0.1", 0, db, operatorKey, dataDir, defaults.chargeScale(), defaults.creditsPerUsd(), defaults.meteringOn(),
                defaults.reservationTtlSeconds(), defaults.webhookRetryBaseMs(), defaults.postgresWriters(), defaults.webhookPrivateAddresses());
        Creditline app = Creditline.start(config, Clock.systemUTC());
        return new Server() {
            @Override int port() { return app.port(); }
            @Override boolean inThisJvm() { return true; }
            @Override long cpuNanos() { return processCpuNanos(); }

            @Override Map<String, Long> threadCpuNanos() {
                return thisJvmThreadCpuNanos();
            }

            @Override String describe() { return "in-process (pid " + ProcessHandle.current().pid() + ")"; }
            @Override public void close() { app.close(); }
        };
    }

    /** CPU of this JVM's live threads, by {@link #group}; a load generator's own threads count as OTHER. */
    static Map<String, Long> thisJvmThreadCpuNanos() {
        var threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> out = new java.util.TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            long ns = threads.getThreadCpuTime(t.threadId());
            if (ns > 0) out.merge(group(t.getName()), ns, Long::sum);
        }
        return out;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime from a /proc stat file, whose unit is the clock tick (100 Hz on Linux). */
    static long procCpuNanos(Path stat) {
        try {
            String text = Files.readString(stat);
            String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        } catch (Exception e) {
            return -1;
        }
    }

    /** The server's JVM options, as bin/creditline gives them (bin/jvm.options). */
    static List<String> jvmOptions(Path root) throws java.io.IOException {
        List<String> options = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("bin/jvm.options"))) {
            if (!line.isBlank() && !line.startsWith("#")) options.addAll(List.of(line.trim().split("\\s+")));
        }
        return options;
    }

    static Server childProcess(Path root, String javaHome, String db, String operatorKey, Path dataDir, List<String> extraJvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaHome + "/bin/java"));
        cmd.addAll(jvmOptions(root));
        cmd.addAll(extraJvmOptions);
        cmd.addAll(List.of("-jar", root.resolve("target/creditline.jar").toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CREDITLINE_DB", db);
        pb.environment().put("CREDITLINE_HOST", "127.0.0.1");
        pb.environment().put("CREDITLINE_PORT", "0");
        pb.environment().put("CREDITLINE_OPERATOR_KEY", operatorKey);
        pb.environment().put("CREDITLINE_DATA_DIR", dataDir.toString());
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening = Pattern.compile("listening on http://[^:]+:(\\d+)");
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("server-output").start(() -> {
            try {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = listening.matcher(line);
                    if (!port.isDone() && m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    } else {
                        System.out.println("  [server] " + line);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("the server exited before listening"));
        });
        int serverPort;
        try {
            serverPort = port.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("the server did not start: " + e.getMessage(), e);
        }
        return new Server() {
            @Override int port() { return serverPort; }
            @Override boolean inThisJvm() { return false; }

            @Override long cpuNanos() {
                return procCpuNanos(Path.of("/proc/" + p.pid() + "/stat"));
            }

            @Override Map<String, Long> threadCpuNanos() {
                // Linux keeps the first 15 bytes of a thread's name as its comm.
                Map<String, Long> out = new java.util.TreeMap<>();
                try (var tasks = Files.list(Path.of("/proc/" + p.pid() + "/task"))) {
                    for (Path task : (Iterable<Path>) tasks::iterator) {
                        long ns = procCpuNanos(task.resolve("stat"));
                        if (ns > 0) out.merge(group(Files.readString(task.resolve("comm")).strip()), ns, Long::sum);
                    }
                } catch (Exception e) {
                    return Map.of();
                }
                return out;
            }

            @Override String describe() { return "child process (pid " + p.pid() + ")"; }

            @Override public void close() {
                p.destroy(); // SIGTERM: the shutdown hook drains the writer and closes the database
                try {
                    if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        };
    }
}
