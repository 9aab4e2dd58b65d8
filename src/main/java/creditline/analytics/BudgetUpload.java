package creditline.analytics;

import creditline.auth.Member;
import creditline.pricing.Credits;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

/**
 * The bulk budget CSV: a header {@code user,budget}, then one row per member override. {@code user}
 * is an email or {@code SA <name>}; {@code budget} is credits (up to 6 decimals), empty to clear
 * the override (the member falls back to the default member budget), or {@code unlimited} for an
 * explicit unlimited override.
 *
 * <p>{@link #parse} reads the file, {@link #check} checks it against the org; nothing is applied
 * before both have run over the whole file. Errors
 * (a file that is not UTF-8, malformed CSV, a wrong header or column count, an invalid user, a
 * non-numeric, negative or over-precise budget, or one above {@link Credits#CREDITS_MAX} like the
 * JSON API) make the upload fail as a whole. Warnings do not: a user who is not a
 * member (the row is skipped), a user on several rows (the last row wins), a budget above the
 * org's monthly budget. Line numbers are physical lines of the file, the header being line 1.
 */
public final class BudgetUpload {
    public static final int ROWS_MAX = 200_000;
    /** Each list of issues keeps its first this many; the counts stay exact. */
    public static final int ISSUES_MAX = 1_000;
    public static final int PROGRESS_ROWS = 10_000;
    public static final String UNLIMITED = "unlimited";
    public static final List<String> HEADER = List.of("user", "budget");
    private static final Pattern AMOUNT = Pattern.compile("\\d+(\\.\\d+)?");

    private BudgetUpload() {}

    public record Issue(long line, String user, String message) {}

    /**
     * What the upload is checked against: the org's members, its monthly budget (null: none), and
     * their overrides (a member with an unlimited override maps to null; one without is absent).
     */
    public record OrgState(Set<String> members, Long orgBudgetMicros, Map<String, Long> overrides) {
        /** Whether applying the row would leave the member's override as it is. */
        boolean unchanged(Row row) {
            if (row.clear()) return !overrides.containsKey(row.user());
            return overrides.containsKey(row.user()) && java.util.Objects.equals(overrides.get(row.user()), row.creditsMicros());
        }
    }

    /** A well-formed row: clear the member's override, or set it ({@code creditsMicros} null = unlimited). */
    public record Row(long line, String user, boolean clear, Long creditsMicros, String budget) {}

    /** The rows of a file without the org-dependent checks, and the errors found in it. */
    public record Parsed(long rows, List<Row> valid, List<Issue> errors, long errorCount) {}

    /** The outcome of a check: the changes to apply (one per member, in file order) and the issues. */
    public record Report(long rows, List<Row> changes, List<Issue> warnings, long warningCount, List<Issue> errors, long errorCount) {
        public boolean ok() {
            return errorCount == 0;
        }
    }

    /**
     * Decodes the file as UTF-8, then {@linkplain #parse(String, IntConsumer) parses} it. A file that
     * is not UTF-8 (Windows-1252 or Latin-1 from a spreadsheet, UTF-16) is one error on the line of its
     * first byte that is not UTF-8, so it gets the same report as any other bad file.
     */
    public static Parsed parse(byte[] csv, IntConsumer progress) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(csv);
        CharBuffer out = CharBuffer.allocate(csv.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = utf8.decode(in, out, true);
        if (!result.isError()) result = utf8.flush(out);
        Issue notUtf8 = notUtf8(csv, result.isError() ? in.position() : -1);
        if (notUtf8 != null) return new Parsed(0, List.of(), List.of(notUtf8), 1);
        return parse(out.flip().toString(), progress);
    }

    /**
     * The error for a file that is not UTF-8 text, or null when it is: a UTF-16 byte order mark, or
     * the first byte that is not UTF-8 ({@code invalidAt}, -1 for none) or is a NUL (valid UTF-8, but
     * no CSV holds one, and UTF-16 text of ASCII characters is every other byte NUL), whichever comes first.
     */
    private static Issue notUtf8(byte[] csv, int invalidAt) {
        String advice = "; save it as \"CSV UTF-8\"";
        if (csv.length >= 2 && ((csv[0] == (byte) 0xFE && csv[1] == (byte) 0xFF) || (csv[0] == (byte) 0xFF && csv[1] == (byte) 0xFE))) {
            return new Issue(1, null, "the file is UTF-16 text (it starts with a UTF-16 byte order mark), not UTF-8" + advice);
        }
        int end = invalidAt < 0 ? csv.length : invalidAt;
        int nulAt = -1;
        for (int i = 0; i < end; i++) {
            if (csv[i] == 0) {
                nulAt = i;
                break;
            }
        }
        int at = nulAt >= 0 ? nulAt : invalidAt;
        if (at < 0) return null;
        long line = 1;
        int lineStart = csv.length >= 3 && csv[0] == (byte) 0xEF && csv[1] == (byte) 0xBB && csv[2] == (byte) 0xBF ? 3 : 0;
        for (int i = 0; i < at; i++) {
            if (csv[i] == '\n' || (csv[i] == '\r' && csv[i + 1] != '\n')) {
                line++;
                lineStart = i + 1;
            }
        }
        // The bytes before it on its line are valid UTF-8: the column counts their characters.
        String before = new String(csv, lineStart, at - lineStart, StandardCharsets.UTF_8);
        String where = "column " + (before.codePointCount(0, before.length()) + 1);
        String message = nulAt >= 0
                ? "the file looks like UTF-16 text, not UTF-8: " + where + " holds a NUL byte (byte " + (at + 1) + " of the file)"
                : "the file is not UTF-8 text: " + where + " holds the byte " + String.format(Locale.ROOT, "0x%02X", csv[at] & 0xFF)
                + " (byte " + (at + 1) + " of the file), which is not UTF-8";
        return new Issue(line, null, message + advice);
    }

    /** Reads and checks the file on its own; {@code progress} hears the row count every {@link #PROGRESS_ROWS} rows. */
    public static Parsed parse(String csv, IntConsumer progress) {
        String text = csv.startsWith("\uFEFF") ? csv.substring(1) : csv;
        Issues errors = new Issues();
        List<Row> valid = new ArrayList<>();
        Lines lines = new Lines(text);
        long rows = 0;
        try (CSVParser parser = Csv.READ.parse(new StringReader(text))) {
            Iterator<CSVRecord> it = parser.iterator();
            boolean header = true;
            while (true) {
                CSVRecord r;
                try {
                    if (!it.hasNext()) break;
                    r = it.next();
                } catch (UncheckedIOException | IllegalStateException malformed) {
                    errors.add(malformed(rootMessage(malformed), parser.getCurrentLineNumber()));
                    break;
                }
                long line = lines.lineAt(r.getCharacterPosition());
                if (header) {
                    header = false;
                    List<String> names = r.stream().map(v -> v.strip().toLowerCase(Locale.ROOT)).toList();
                    if (!names.equals(HEADER)) {
                        errors.add(new Issue(line, null, "the first line must be the header user,budget, got '" + String.join(",", r.values()) + "'"));
                    }
                    continue;
                }
                if (++rows > ROWS_MAX) {
                    errors.add(new Issue(line, null, "a file holds at most " + ROWS_MAX + " rows; split it"));
                    rows = ROWS_MAX;
                    break;
                }
                if (rows % PROGRESS_ROWS == 0) progress.accept((int) rows);
                Row row = row(r, line, errors);
                if (row != null) valid.add(row);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rows == 0 && errors.count == 0) errors.add(new Issue(1, null, "the file has no rows after the header user,budget"));
        return new Parsed(rows, valid, errors.list, errors.count);
    }

    private static Row row(CSVRecord r, long line, Issues errors) {
        if (r.size() != 2) {
            errors.add(new Issue(line, r.size() > 0 ? r.get(0).strip() : null, "expected 2 columns (user,budget), got " + r.size()));
            return null;
        }
        String user = Csv.restore(r.get(0).strip());
        String budget = r.get(1).strip();
        String invalidUser = user.isEmpty() ? "user is empty" : Member.validateId(user);
        if (invalidUser != null) {
            errors.add(new Issue(line, user, invalidUser));
            return null;
        }
        if (budget.isEmpty()) return new Row(line, user, true, null, budget);
        if (budget.equalsIgnoreCase(UNLIMITED)) return new Row(line, user, false, null, budget);
        String problem = budget.startsWith("-") ? "budget must not be negative, got '" + budget + "'"
                : !AMOUNT.matcher(budget).matches() ? "budget must be a number of credits such as 5000 or 12.5 (no thousands separators),"
                + " empty, or " + UNLIMITED + ", got '" + budget + "'" : null;
        BigDecimal amount = problem == null ? new BigDecimal(budget) : null;
        if (amount != null && amount.compareTo(Credits.CREDITS_MAX) > 0) {
            // The JSON API's cap: the file must not store a budget that PUT .../budgets/members/{m} refuses.
            problem = "budget out of range: must be at most " + Credits.CREDITS_MAX.toPlainString() + " credits, got '" + budget + "'";
        }
        if (problem == null) {
            try {
                return new Row(line, user, false, Credits.parseMicros(amount), budget);
            } catch (IllegalArgumentException e) {
                problem = "budget " + e.getMessage();
            }
        }
        errors.add(new Issue(line, user, problem));
        return null;
    }

    /** Checks the parsed rows against the org: unknown users are skipped, the last row of a user wins. */
    public static Report check(Parsed parsed, OrgState org) {
        Issues warnings = new Issues();
        Map<String, Row> changes = new LinkedHashMap<>();
        for (Row row : parsed.valid()) {
            if (!org.members().contains(row.user())) {
                warnings.add(new Issue(row.line(), row.user(), "unknown user: not a member of this org; the row is skipped"));
                continue;
            }
            Row earlier = changes.put(row.user(), row);
            if (earlier != null) {
                warnings.add(new Issue(row.line(), row.user(), "duplicate row: this user is also on line " + earlier.line() + "; the last row wins"));
            }
            if (row.creditsMicros() != null && org.orgBudgetMicros() != null && row.creditsMicros() > org.orgBudgetMicros()) {
                warnings.add(new Issue(row.line(), row.user(), "budget " + row.budget() + " is above the org's monthly budget of "
                        + Credits.format(org.orgBudgetMicros()) + " credits"));
            }
        }
        // Rows that set what is already there are no changes: not counted, not written.
        List<Row> effective = changes.values().stream().filter(row -> !org.unchanged(row)).toList();
        return new Report(parsed.rows(), effective, warnings.list, warnings.count, parsed.errors(), parsed.errorCount());
    }

    /**
     * The template: the header, then every member with their current override (empty: none, so
     * the default member budget applies; {@code unlimited}: an explicit unlimited override).
     */
    public static void writeTemplate(Appendable out, List<String> memberIds, Map<String, Optional<Long>> overrides) throws IOException {
        CSVPrinter p = new CSVPrinter(out, Csv.WRITE);
        p.printRecord(HEADER);
        for (String m : memberIds) {
            Optional<Long> o = overrides.get(m);
            p.printRecord(Csv.neutralize(m), o == null ? "" : o.map(BudgetUpload::amount).orElse(UNLIMITED));
        }
        p.flush();
    }

    /** Credits as plain as they were typed: 10000, 12.5. */
    static String amount(long micros) {
        return BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    private static final Pattern START_LINE = Pattern.compile("\\(startline (\\d+)\\) ?");

    /**
     * The parser's complaint at the line where the broken record starts (it names that line in its
     * message; its own line count is where it stopped, often the end of the file).
     */
    static Issue malformed(String parserMessage, long stoppedAt) {
        Matcher start = START_LINE.matcher(parserMessage == null ? "" : parserMessage);
        if (!start.find()) return new Issue(stoppedAt, null, "malformed CSV: " + parserMessage);
        long line = Long.parseLong(start.group(1));
        String rest = start.replaceFirst("");
        if (rest.contains("EOF reached before encapsulated token finished")) {
            return new Issue(line, null, "malformed CSV: a quoted field opened on this line is never closed (a '\"' is missing)");
        }
        return new Issue(line, null, "malformed CSV: " + rest);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null) root = root.getCause();
        return root.getMessage();
    }

    /** A capped list with an exact count. */
    private static final class Issues {
        final List<Issue> list = new ArrayList<>();
        long count;

        void add(Issue i) {
            if (count++ < ISSUES_MAX) list.add(i);
        }
    }

    /** Maps character positions (increasing) to 1-based line numbers; CRLF, LF and CR each end a line. */
    private static final class Lines {
        private final String text;
        private int pos;
        private long line = 1;

        Lines(String text) {
            this.text = text;
        }

        /** The line of the record starting at the position, past the empty lines the parser skipped. */
        long lineAt(long charPosition) {
            int end = (int) Math.min(charPosition, text.length());
            while (end < text.length() && (text.charAt(end) == '\n' || text.charAt(end) == '\r')) end++;
            for (; pos < end; pos++) {
                char c = text.charAt(pos);
                if (c == '\n' || (c == '\r' && (pos + 1 >= text.length() || text.charAt(pos + 1) != '\n'))) line++;
            }
            return line;
        }
    }
}
