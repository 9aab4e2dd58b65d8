package creditline.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure rules of the bulk budget CSV: the amounts it takes, and files that are not UTF-8. */
class BudgetUploadTest {
    private static final BudgetUpload.OrgState ORG = new BudgetUpload.OrgState(Set.of("a@x.io"), null, java.util.Map.of());

    @Test
    void budgetsAreCappedLikeTheJsonApi() {
        record Case(String budget, Long micros) {}
        for (Case c : List.of(
                new Case("0", 0L),
                new Case("999999999.999999", 999_999_999_999_999L),
                new Case("1000000000", 1_000_000_000_000_000L),
                new Case("1000000000.000000", 1_000_000_000_000_000L),
                new Case("1000000000.000001", null),
                new Case("5000000000", null),
                new Case("9223372036854.775807", null),
                new Case("99999999999999999999", null))) {
            BudgetUpload.Report r = BudgetUpload.check(BudgetUpload.parse("user,budget\na@x.io," + c.budget() + "\n", rows -> {}), ORG);
            if (c.micros() != null) {
                assertThat(r.errors()).as(c.budget()).isEmpty();
                assertThat(r.changes()).as(c.budget()).singleElement().extracting(BudgetUpload.Row::creditsMicros).isEqualTo(c.micros());
            } else {
                assertThat(r.ok()).as(c.budget()).isFalse();
                assertThat(r.changes()).as(c.budget()).isEmpty();
                assertThat(r.errors()).as(c.budget()).containsExactly(new BudgetUpload.Issue(2, "a@x.io",
                        "budget out of range: must be at most 1000000000 credits, got '" + c.budget() + "'"));
            }
        }
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String text) out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            else out.write((Integer) p);
        }
        return out.toByteArray();
    }

    @Test
    void aFileThatIsNotUtf8IsOneErrorOnTheLineOfItsFirstBadByte() {
        record Case(String name, byte[] csv, long line, String message) {}
        for (Case c : List.of(
                new Case("cut off in a character at the end", bytes("user,budget\na@x.io,5\n", 0xC3), 3,
                        "the file is not UTF-8 text: column 1 holds the byte 0xC3 (byte 22 of the file), which is not UTF-8; save it as \"CSV UTF-8\""),
                new Case("CR line ends", bytes("user,budget\ra@x.io,5\r\r\u00e9", 0xE9, "@x.io,5\r"), 4, "column 2 holds the byte 0xE9 (byte 25 of the file)"),
                new Case("CRLF is one line end", bytes("user,budget\r\na@x.io,5\r\n\r\nb@x.io,", 0xA0, "5\r\n"), 4, "column 8 holds the byte 0xA0 (byte 33 of the file)"),
                new Case("a UTF-8 BOM is not a column", bytes("\uFEFFus", 0xE9, "r,budget\n"), 1, "column 3 holds the byte 0xE9 (byte 6 of the file)"),
                new Case("a lone continuation byte", bytes("user,budget\na@x.io,", 0x80, "\n"), 2, "column 8 holds the byte 0x80"),
                new Case("UTF-16BE BOM", "user,budget\n".getBytes(StandardCharsets.UTF_16), 1,
                        "the file is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8; save it as \"CSV UTF-8\""),
                new Case("UTF-16LE BOM", bytes(0xFF, 0xFE, "u", 0), 1, "UTF-16 byte order mark"),
                new Case("a NUL after good lines", bytes("user,budget\na@x.io,5\nb", 0, "@x.io,5\n"), 3,
                        "the file looks like UTF-16 text, not UTF-8: column 2 holds a NUL byte (byte 23 of the file); save it as \"CSV UTF-8\""),
                new Case("a NUL before a bad byte wins", bytes("user,budget\n", 0, 0xE9), 2, "NUL byte (byte 13 of the file)"),
                new Case("a bad byte before a NUL wins", bytes("user,budget\n", 0xE9, 0), 2, "the byte 0xE9 (byte 13 of the file)"))) {
            BudgetUpload.Parsed p = BudgetUpload.parse(c.csv(), rows -> {});
            assertThat(p.errorCount()).as(c.name()).isEqualTo(1);
            assertThat(p.valid()).as(c.name()).isEmpty();
            assertThat(p.errors()).as(c.name()).singleElement().satisfies(e -> {
                assertThat(e.line()).as(c.name()).isEqualTo(c.line());
                assertThat(e.user()).isNull();
                assertThat(e.message()).as(c.name()).contains(c.message()).endsWith("save it as \"CSV UTF-8\"");
            });
        }
        // UTF-8, with or without a BOM, parses as text; an empty file is the usual "no rows".
        for (byte[] ok : List.of(bytes("user,budget\nk\u00e9n@x.io,5\n"), bytes("\uFEFFuser,budget\r\nk\u00e9n@x.io,5\r\n"))) {
            BudgetUpload.Parsed p = BudgetUpload.parse(ok, rows -> {});
            assertThat(p.errors()).isEmpty();
            assertThat(p.valid()).singleElement().extracting(BudgetUpload.Row::user).isEqualTo("k\u00e9n@x.io");
        }
        assertThat(BudgetUpload.parse(new byte[0], rows -> {}).errors()).singleElement().extracting(BudgetUpload.Issue::message).asString()
                .contains("the file has no rows");
    }
}
