package creditline.app;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The command line: {@code creditline serve | demo | models import}. */
@Command(name = "creditline", mixinStandardHelpOptions = true, version = "creditline 0.1.0",
        description = "Meters AI usage in credits.", subcommands = {Main.Serve.class, Main.Demo.class, ModelsCommand.class})
public final class Main {
    public static void main(String[] args) {
        // Helidon logs through java.util.logging: send it to the one logging setup (logback.xml).
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Command(name = "serve", description = "Run the server (configuration from CREDITLINE_* environment variables).")
    static final class Serve implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            Config config = Config.fromEnv(System.getenv());
            OperatorKey.Resolved key = OperatorKey.resolve(config);
            long started = System.nanoTime();
            Creditline app = Creditline.start(config.withOperatorKey(key.key()), Clock.systemUTC());
            PrintStream out = System.out;
            out.printf("Creditline listening on http://localhost:%d (database %s) in %d ms%n", app.port(), config.db(),
                    (System.nanoTime() - started) / 1_000_000);
            if (key.generated()) {
                out.println("Generated the operator key (shown once; kept in " + key.file() + "):");
                out.println("  " + key.key());
            }
            awaitShutdown(app);
            return 0;
        }
    }

    @Command(name = "demo", description = "Run the server on a fresh demo database with demo data.")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--events-per-member-day", defaultValue = "12", description = "Average usage events per member and day (default ${DEFAULT-VALUE}).")
        int eventsPerMemberDay;

        @Override
        public Integer call() throws Exception {
            Config env = Config.fromEnv(System.getenv());
            Config config = System.getenv("CREDITLINE_DB") == null ? env.withDb("sqlite:" + env.dataDir().resolve("demo.db")) : env;
            if (config.db().startsWith("sqlite:")) {
                Path file = Path.of(config.db().substring("sqlite:".length()));
                for (String suffix : new String[] {"", "-wal", "-shm"}) Files.deleteIfExists(Path.of(file + suffix));
            }
            OperatorKey.Resolved key = OperatorKey.resolve(config);
            Creditline app = Creditline.start(config.withOperatorKey(key.key()), Clock.systemUTC());
            DemoData.Keys keys = new DemoData(app.store(), eventsPerMemberDay, System.out).load();
            PrintStream out = System.out;
            String url = "http://localhost:" + app.port();
            out.println();
            out.println("Creditline demo running at " + url + " (database " + config.db() + ")");
            out.println("  operator key      " + key.key());
            out.println("  acme admin key    " + keys.acmeAdmin() + "   (" + DemoData.ACME_ADMIN + ")");
            out.println("  acme member key   " + keys.acmeMember() + "   (" + DemoData.ACME_MEMBER + ")");
            out.println("  globex admin key  " + keys.globexAdmin());
            out.println("Try:");
            out.println("  curl -H 'Authorization: Bearer " + keys.acmeAdmin() + "' " + url + "/v1/orgs/acme/subscription");
            awaitShutdown(app);
            return 0;
        }
    }

    private static void awaitShutdown(Creditline app) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "creditline-shutdown"));
        stopped.await();
    }
}
