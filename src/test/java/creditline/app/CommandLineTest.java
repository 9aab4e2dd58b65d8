package creditline.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code creditline serve} and {@code demo} when they cannot start: one line naming the reason
 * (exit code 2 for a configuration value, 1 for a database or port that cannot be used), no stack
 * trace; and the demo never deletes a database it did not make.
 */
class CommandLineTest {
    record Run(int exitCode, String err) {}

    private final Path dataDir;

    CommandLineTest() throws Exception {
        dataDir = Files.createTempDirectory("creditline-cli");
    }

    private Run run(Map<String, String> given, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("CREDITLINE_DATA_DIR", dataDir.toString(), "CREDITLINE_HOST", "127.0.0.1",
                "CREDITLINE_OPERATOR_KEY", "cl_op_test_key_for_the_command_line"));
        env.putAll(given);
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                K k = CommandLine.defaultFactory().create(cls);
                if (k instanceof Main.Serve s) s.env = env;
                if (k instanceof Main.Demo d) d.env = env;
                return k;
            }
        });
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), err.toString());
    }

    private static void assertOneLine(Run r, int exitCode, String text) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(exitCode);
        assertThat(r.err()).contains(text).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(r.err().strip().lines().count()).as(r.err()).isEqualTo(1);
    }

    @Test
    void anImpossibleValueIsNamedInOneLine() {
        assertOneLine(run(Map.of("CREDITLINE_PORT", "99999"), "serve"), 2,
                "creditline serve: CREDITLINE_PORT must be a whole number from 0 to 65535 (a TCP port), got '99999'");
        assertOneLine(run(Map.of("CREDITLINE_DB", "mysql://localhost/x"), "serve"), 2,
                "creditline serve: CREDITLINE_DB must be sqlite:PATH or jdbc:postgresql://HOST:PORT/DB, got 'mysql://localhost/x'");
        assertOneLine(run(Map.of("CREDITLINE_METERING", "maybe"), "demo"), 2,
                "creditline demo: CREDITLINE_METERING must be on or off, got 'maybe'");
    }

    @Test
    void aDatabaseThatCannotBeOpenedIsNamedWithoutItsParameters() {
        Run r = run(Map.of("CREDITLINE_DB", "jdbc:postgresql://127.0.0.1:1/nowhere?user=postgres&password=secret"), "serve");
        assertOneLine(r, 1, "creditline serve: cannot open the database jdbc:postgresql://127.0.0.1:1/nowhere: ");
        assertThat(r.err()).contains("refused").doesNotContain("secret");
    }

    @Test
    void theStartLineNamesTheDatabaseWithoutItsParameters() {
        assertThat(Main.listening(8080, "jdbc:postgresql://db:5432/prod?user=app&password=s3cret", 900))
                .isEqualTo("Creditline listening on http://localhost:8080 (database jdbc:postgresql://db:5432/prod) in 900 ms");
    }

    @Test
    void aDatabaseThatCanBeReadButNotWrittenIsNamedInOneLine() {
        Path file = dataDir.resolve("read-only.db");
        creditline.store.Database.open("sqlite:" + file).close();
        Run r = run(Map.of("CREDITLINE_DB", "sqlite:file:" + file + "?mode=ro"), "serve");
        assertOneLine(r, 1, "creditline serve: cannot write to the database sqlite:file:" + file + ": ");
        assertThat(r.err()).contains("readonly");
    }

    @Test
    void aPortInUseStopsTheStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            // Before the check, serve printed "listening on http://localhost:-1" and waited forever.
            Run r = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(Map.of("CREDITLINE_PORT", Integer.toString(taken.getLocalPort()),
                    "CREDITLINE_DB", "sqlite:" + dataDir.resolve("port.db")), "serve"));
            assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).startsWith("creditline serve: cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": ")
                    .contains("port in use");
        }
    }

    @Test
    void theDemoDoesNotDeleteADatabaseItDidNotMake() throws Exception {
        Path real = dataDir.resolve("real.db");
        Files.writeString(real, "someone's data");
        Run r = run(Map.of("CREDITLINE_DB", "sqlite:" + real), "demo");
        assertOneLine(r, 2, "creditline demo: CREDITLINE_DB names " + real + ", a database that creditline demo did not make");
        assertThat(Files.readString(real)).isEqualTo("someone's data");
        assertThat(DemoFile.marker(real)).doesNotExist();
    }

    @Test
    void theDemoStartsAfreshOnlyOnItsOwnFiles() throws Exception {
        Path made = dataDir.resolve("made.db");
        DemoFile.startAfresh(made, false);
        assertThat(DemoFile.marker(made)).exists();
        Files.writeString(made, "an earlier demo");
        Files.writeString(Path.of(made + "-wal"), "its log");
        DemoFile.startAfresh(made, false);
        assertThat(made).doesNotExist();
        assertThat(Path.of(made + "-wal")).doesNotExist();
        assertThat(DemoFile.marker(made)).exists();

        Path own = dataDir.resolve("sub").resolve("demo.db");
        Files.createDirectories(own.getParent());
        Files.writeString(own, "a demo database from before the marker");
        DemoFile.startAfresh(own, true);
        assertThat(own).doesNotExist();
        assertThat(DemoFile.marker(own)).exists();
    }
}
