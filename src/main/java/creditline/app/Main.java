package creditline.app;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
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
        System.exit(commandLine(CommandLine.defaultFactory()).execute(args));
    }

    /**
     * The command line as {@link #main} runs it. A start refused for a reason the user can mend
     * (a configuration value: exit code 2; a database or port it cannot use: 1) prints its reason
     * in one line, not a stack trace.
     */
    /** The start line: the database named without its URL's parameters (a password may be one). */
    static String listening(int port, String db, long millis) {
        return "Creditline listening on http://localhost:" + port + " (database " + Creditline.withoutParameters(db) + ") in " + millis + " ms";
    }

    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cli = new CommandLine(new Main(), factory);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (!(e instanceof Config.Invalid) && !(e instanceof CannotStart)) throw e;
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage());
            cmd.getErr().flush();
            return e instanceof Config.Invalid ? 2 : 1;
        });
        return cli;
    }

    @Command(name = "serve", description = "Run the server (configuration from CREDITLINE_* environment variables).")
    static final class Serve implements Callable<Integer> {
        /** The environment the configuration comes from (tests give their own). */
        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws Exception {
            Config config = Config.fromEnv(env);
            OperatorKey.Resolved key = OperatorKey.resolve(config);
            long started = System.nanoTime();
            Creditline app = Creditline.start(config.withOperatorKey(key.key()), Clock.systemUTC());
            PrintStream out = System.out;
            out.println(listening(app.port(), config.db(), (System.nanoTime() - started) / 1_000_000));
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

        /** The environment the configuration comes from (tests give their own). */
        Map<String, String> env = System.getenv();

        @Override
        public Integer call() throws Exception {
            Config given = Config.fromEnv(env);
            boolean ownFile = env.get("CREDITLINE_DB") == null || env.get("CREDITLINE_DB").isBlank();
            Config config = ownFile ? given.withDb("sqlite:" + given.dataDir().resolve("demo.db")) : given;
            if (config.db().startsWith("sqlite:")) DemoFile.startAfresh(Path.of(config.db().substring("sqlite:".length())), ownFile);
            OperatorKey.Resolved key = OperatorKey.resolve(config);
            Creditline app = Creditline.start(config.withOperatorKey(key.key()), Clock.systemUTC());
            if (app.store().org(DemoData.ACME_ORG) != null || app.store().org(DemoData.GLOBEX_ORG) != null) {
                app.close();
                throw new Config.Invalid("CREDITLINE_DB " + Creditline.withoutParameters(config.db()) + " already holds the demo's orgs ("
                        + DemoData.ACME_ORG + ", " + DemoData.GLOBEX_ORG + "): the demo loads its data into a database without them");
            }
            DemoData.Keys keys = new DemoData(app.store(), eventsPerMemberDay, System.out).load();
            PrintStream out = System.out;
            String url = "http://localhost:" + app.port();
            out.println();
            out.println("Creditline demo running at " + url + " (database " + Creditline.withoutParameters(config.db()) + ")");
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
