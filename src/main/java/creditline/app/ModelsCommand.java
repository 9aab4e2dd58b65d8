package creditline.app;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.http.ImportReports;
import creditline.api.http.Json;
import creditline.pricelist.CatalogImport;
import creditline.pricelist.LiteLlm;
import creditline.pricing.Rates;
import creditline.store.Store;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code creditline models import FILE}: the model catalog, from the command line. */
@Command(name = "models", description = "Manage the model catalog.", subcommands = ModelsCommand.Import.class)
final class ModelsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "give a subcommand: import");
    }

    /**
     * Imports a LiteLLM price list straight into the database named by {@code CREDITLINE_DB}
     * (the same database a running server uses; safe while it runs: the import is one write
     * transaction and the server reads rates from the database).
     */
    @Command(name = "import", description = {
            "Import a LiteLLM price list (model_prices_and_context_window.json) into the database CREDITLINE_DB.",
            "Appends a rate version only to models whose rates changed; reports added, changed, unchanged and skipped models."})
    static final class Import implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "FILE", description = "The LiteLLM JSON price list.")
        Path file;

        @Option(names = "--credits-per-usd", paramLabel = "N",
                description = "Credits per US dollar (default: CREDITLINE_CREDITS_PER_USD, else 100).")
        BigDecimal creditsPerUsd;

        @Option(names = "--effective-from", paramLabel = "T", description = "When the new rate versions take effect, ISO-8601 UTC (default: now).")
        String effectiveFrom;

        @Option(names = "--dry-run", description = "Show what would change (the diff) and write nothing.")
        boolean dryRun;

        @Option(names = "--json", description = "Print the report as JSON (the same as POST /v1/models:import).")
        boolean json;

        @Spec
        CommandSpec spec;

        /** The environment the configuration comes from (tests give their own). */
        Map<String, String> env = System.getenv();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Config config = Config.fromEnv(env);
            BigDecimal rate = creditsPerUsd == null ? config.creditsPerUsd() : creditsPerUsd;
            if (rate.signum() <= 0) throw new ParameterException(spec.commandLine(), "--credits-per-usd must be positive, got " + rate.toPlainString());
            Instant from = parseInstant(effectiveFrom);
            JsonNode list;
            try {
                list = Json.MAPPER.readTree(file.toFile());
            } catch (IOException e) {
                err.println("creditline models import: cannot read " + file + ": " + e.getMessage());
                return 1;
            }
            if (list == null || !list.isObject()) {
                err.println("creditline models import: " + file + " is not a LiteLLM price list (one JSON object mapping model ids to costs)");
                return 1;
            }
            CatalogImport.Report report;
            Store store = Creditline.openStore(config, Clock.systemUTC(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            try {
                report = CatalogImport.run(store, list, rate, from, dryRun,
                        (done, total) -> {
                            err.printf("read %,d of %,d entries%n", done, total);
                            err.flush();
                        });
            } finally {
                store.close();
                store.database().close();
            }
            if (json) {
                out.println(new String(Json.write(ImportReports.render(report)), java.nio.charset.StandardCharsets.UTF_8));
            } else {
                print(report, out);
            }
            out.flush();
            return 0;
        }

        private Instant parseInstant(String text) {
            if (text == null) return null;
            try {
                return creditline.common.IsoInstant.parseWithinRange(text, "--effective-from");
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }

        static void print(CatalogImport.Report r, PrintWriter out) {
            for (CatalogImport.Change c : r.added()) {
                out.println("added    " + c.modelId() + " (" + c.provider() + ")" + version(r, c));
                printDiff(c, out);
            }
            for (CatalogImport.Change c : r.changed()) {
                out.println("changed  " + c.modelId() + (c.fromVersion() == null ? "" : " from v" + c.fromVersion()) + version(r, c));
                printDiff(c, out);
            }
            for (LiteLlm.Skipped s : r.skipped()) out.println("skipped  " + s.modelId() + ": " + s.reason());
            out.printf("%s%,d entries: %,d added, %,d changed, %,d unchanged, %,d skipped (effective from %s, %s credits per USD)%n",
                    r.dryRun() ? "dry run, nothing written. " : "", r.entries(), r.added().size(), r.changed().size(),
                    r.unchanged().size(), r.skipped().size(), r.effectiveFrom(), r.creditsPerUsd().stripTrailingZeros().toPlainString());
        }

        private static String version(CatalogImport.Report r, CatalogImport.Change c) {
            Integer v = r.versions().get(c.modelId());
            return v == null ? "" : " -> v" + v;
        }

        private static void printDiff(CatalogImport.Change c, PrintWriter out) {
            Rates before = c.before() == null ? Rates.NONE : c.before();
            for (Map.Entry<String, Object> d : ImportReports.diff(before, c.after()).entrySet()) {
                Map<?, ?> fromTo = (Map<?, ?>) d.getValue();
                out.println("    " + d.getKey() + ": " + orDash(fromTo.get("from")) + " -> " + orDash(fromTo.get("to")));
            }
            if (!c.ignoredFields().isEmpty()) out.println("    ignored (not expressible on a rate card): " + String.join(", ", c.ignoredFields()));
        }

        private static String orDash(Object v) {
            return v == null ? "-" : v.toString();
        }
    }
}
