package creditline.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.api.http.Json;
import creditline.store.Store;
import creditline.testing.Databases;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code creditline models import FILE [--credits-per-usd N] [--effective-from T] [--dry-run] [--json]} on a SQLite database. */
class ModelsImportCommandTest {
    private final String db = Databases.freshSqlite();

    record Run(int exitCode, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K k = CommandLine.defaultFactory().create(cls);
                if (k instanceof ModelsCommand.Import i) i.env = Map.of("CREDITLINE_DB", db, "CREDITLINE_CREDITS_PER_USD", "10");
                return k;
            }
        });
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Path excerpt() throws IOException {
        Path file = Files.createTempFile("litellm", ".json");
        try (InputStream in = ModelsImportCommandTest.class.getResourceAsStream("/litellm/model_prices_excerpt.json")) {
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return file;
    }

    private String inputRate(String modelId) {
        Config config = Config.fromEnv(Map.of("CREDITLINE_DB", db));
        Store store = Creditline.openStore(config, Clock.systemUTC(), new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        try {
            var m = store.model(modelId);
            return m == null ? null : creditline.pricing.Credits.format(m.versions().get(m.versions().size() - 1).rates().inputPer1MMicros());
        } finally {
            store.close();
            store.database().close();
        }
    }

    @Test
    void dryRunShowsTheDiffThenTheImportWritesOnlyChanges() throws IOException {
        Path file = excerpt();
        Run dry = run("models", "import", file.toString(), "--dry-run");
        assertThat(dry.exitCode()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("added    claude-sonnet-4-5 (anthropic)")
                .contains("    creditInputPer1M: - -> 30.00")          // CREDITLINE_CREDITS_PER_USD=10
                .contains("    longContextTier.thresholdTokens: - -> 200000")
                .contains("    ignored (not expressible on a rate card): search_context_cost_per_query")
                .contains("skipped  dall-e-3: unsupported mode 'image_generation'")
                .contains("dry run, nothing written. 19 entries: 10 added, 0 changed, 0 unchanged, 9 skipped");
        assertThat(dry.err()).contains("read 19 of 19 entries");
        assertThat(inputRate("claude-sonnet-4-5")).isNull();

        Run real = run("models", "import", file.toString(), "--credits-per-usd", "100", "--effective-from", "2026-01-01T00:00:00Z");
        assertThat(real.exitCode()).as(real.err()).isZero();
        assertThat(real.out()).contains("added    claude-sonnet-4-5 (anthropic) -> v1").contains("10 added, 0 changed, 0 unchanged, 9 skipped");
        assertThat(inputRate("claude-sonnet-4-5")).isEqualTo("300.00");

        Run json = run("models", "import", file.toString(), "--credits-per-usd", "100", "--effective-from", "2026-01-01T00:00:00Z", "--json");
        assertThat(json.exitCode()).isZero();
        JsonNode report = Json.parse(json.out().getBytes(StandardCharsets.UTF_8));
        assertThat(report.path("summary").path("unchanged").asInt()).isEqualTo(10);
        assertThat(report.path("summary").path("added").asInt()).isZero();
    }

    @Test
    void refusesBadArgumentsAndFiles() throws IOException {
        assertThat(run("models", "import", excerpt().toString(), "--effective-from", "soon").exitCode()).isEqualTo(2);
        assertThat(run("models", "import", excerpt().toString(), "--credits-per-usd", "0").exitCode()).isEqualTo(2);
        Run missing = run("models", "import", "/nonexistent/prices.json");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("cannot read /nonexistent/prices.json");
        Path array = Files.createTempFile("litellm", ".json");
        Files.writeString(array, "[1, 2]");
        Run notAList = run("models", "import", array.toString());
        assertThat(notAList.exitCode()).isEqualTo(1);
        assertThat(notAList.err()).contains("is not a LiteLLM price list");
        assertThat(run("models").exitCode()).isEqualTo(2);
    }
}
