package creditline.analytics;

import creditline.auth.Member;
import creditline.pricing.Credits;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntConsumer;
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
 * <p>{@link #check} validates a whole upload against the org before anything is applied. Errors
 * (malformed CSV, a wrong header or column count, an invalid user, a non-numeric, negative or
 * over-precise budget) make the upload fail as a whole. Warnings do not: a user who is not a
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

    /** A row to apply: clear the member's override, or set it ({@code creditsMicros} null = unlimited). */
    public record Change(long line, String memberId, boolean clear, Long creditsMicros) {}

    /** What the upload is checked against: the org's members and its monthly budget (null: none). */
    public record OrgState(Set<String> members, Long orgBudgetMicros) {}

    /** The outcome of a check: the changes to apply (one per member, in file order) and the issues. */
    public record Report(long rows, List<Change> changes, List<Issue> warnings, long warningCount, List<Issue> errors, long errorCount) {
        public boolean ok() {
            return errorCount == 0;
        }
    }

    /** Validates the whole file; {@code progress} hears the row count every {@link #PROGRESS_ROWS} rows. */
    public static Report check(String csv, OrgState org, IntConsumer progress) {
        String text = csv.startsWith("\uFEFF") ? csv.substring(1) : csv;
        Issues warnings = new Issues();
        Issues errors = new Issues();
        Map<String, Change> changes = new LinkedHashMap<>();
        Lines lines = new Lines(text);
        int rows = 0;
        try (CSVParser parser = Csv.READ.parse(new StringReader(text))) {
            Iterator<CSVRecord> it = parser.iterator();
            boolean header = true;
            while (true) {
                CSVRecord r;
                try {
                    if (!it.hasNext()) break;
                    r = it.next();
                } catch (UncheckedIOException | IllegalStateException malformed) {
                    errors.add(new Issue(parser.getCurrentLineNumber(), null, "malformed CSV: " + rootMessage(malformed)));
                    break;
                }
                long line = lines.lineAt(r.getCharacterPosition());
                if (header) {
                    header = false;
                    List<String> names = r.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList();
                    if (!names.equals(HEADER)) {
                        errors.add(new Issue(line, null, "the first line must be the header user,budget, got '" + String.join(",", r.values()) + "'"));
                    }
                    continue;
                }
                if (++rows > ROWS_MAX) {
                    errors.add(new Issue(line, null, "a file holds at most " + ROWS_MAX + " rows; split it"));
                    break;
                }
                if (rows % PROGRESS_ROWS == 0) progress.accept(rows);
                row(r, line, org, changes, warnings, errors);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (rows == 0 && errors.count == 0) errors.add(new Issue(1, null, "the file has no rows after the header user,budget"));
        return new Report(Math.min(rows, ROWS_MAX), List.copyOf(changes.values()), warnings.list, warnings.count, errors.list, errors.count);
    }

    private static void row(CSVRecord r, long line, OrgState org, Map<String, Change> changes, Issues warnings, Issues errors) {
        if (r.size() != 2) {
            errors.add(new Issue(line, r.size() > 0 ? r.get(0).strip() : null, "expected 2 columns (user,budget), got " + r.size()));
            return;
        }
        String user = Csv.restore(r.get(0).strip());
        String budget = r.get(1).strip();
        String invalidUser = user.isEmpty() ? "user is empty" : Member.validateId(user);
        if (invalidUser != null) {
            errors.add(new Issue(line, user, invalidUser));
            return;
        }
        Change change;
        if (budget.isEmpty()) {
            change = new Change(line, user, true, null);
        } else if (budget.equalsIgnoreCase(UNLIMITED)) {
            change = new Change(line, user, false, null);
        } else {
            String problem = budget.startsWith("-") ? "budget must not be negative, got '" + budget + "'"
                    : !AMOUNT.matcher(budget).matches() ? "budget must be a number of credits such as 5000 or 12.5 (no thousands separators), empty, or "
                    + UNLIMITED + ", got '" + budget + "'" : null;
            Long micros = null;
            if (problem == null) {
                try {
                    micros = Credits.parseMicros(new BigDecimal(budget));
                } catch (IllegalArgumentException e) {
                    problem = "budget " + e.getMessage();
                }
            }
            if (problem != null) {
                errors.add(new Issue(line, user, problem));
                return;
            }
            change = new Change(line, user, false, micros);
        }
        if (!org.members().contains(user)) {
            warnings.add(new Issue(line, user, "unknown user: not a member of this org; the row is skipped"));
            return;
        }
        Change earlier = changes.put(user, change);
        if (earlier != null) {
            warnings.add(new Issue(line, user, "duplicate row: this user is also on line " + earlier.line() + "; the last row wins"));
        }
        if (change.creditsMicros() != null && org.orgBudgetMicros() != null && change.creditsMicros() > org.orgBudgetMicros()) {
            warnings.add(new Issue(line, user, "budget " + budget + " is above the org's monthly budget of "
                    + Credits.format(org.orgBudgetMicros()) + " credits"));
        }
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

        long lineAt(long charPosition) {
            int end = (int) Math.min(charPosition, text.length());
            for (; pos < end; pos++) {
                char c = text.charAt(pos);
                if (c == '\n' || (c == '\r' && (pos + 1 >= text.length() || text.charAt(pos + 1) != '\n'))) line++;
            }
            return line;
        }
    }
}
