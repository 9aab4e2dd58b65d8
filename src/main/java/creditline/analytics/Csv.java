package creditline.analytics;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.QuoteMode;

/**
 * CSV as Creditline writes and reads it: RFC 4180 (comma, double quotes doubled inside quoted
 * cells, CRLF between records), UTF-8.
 *
 * <p>Formula neutralization: a spreadsheet runs a cell starting with {@code =}, {@code +},
 * {@code -}, {@code @}, a tab or a carriage return as a formula. Such a text cell is written with
 * a leading apostrophe ({@code '=1+2}); so that this stays reversible, a text cell that already
 * starts with an apostrophe gets one more. {@link #restore} undoes it: drop one leading
 * apostrophe. Numbers and times are written as they are (they never start with those characters).
 */
public final class Csv {
    public static final CSVFormat WRITE = CSVFormat.RFC4180.builder().setRecordSeparator("\r\n").setQuoteMode(QuoteMode.MINIMAL).get();
    public static final CSVFormat READ = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();
    public static final String MEDIA_TYPE = "text/csv; charset=utf-8";

    private Csv() {}

    /** The cell as written: neutralized when a spreadsheet would run it as a formula. Null stays null (an empty cell). */
    public static String neutralize(String cell) {
        if (cell == null || cell.isEmpty()) return cell;
        return switch (cell.charAt(0)) {
            case '=', '+', '-', '@', '\t', '\r', '\'' -> "'" + cell;
            default -> cell;
        };
    }

    /** The original of a cell written by {@link #neutralize}. */
    public static String restore(String cell) {
        return cell != null && cell.startsWith("'") ? cell.substring(1) : cell;
    }
}
