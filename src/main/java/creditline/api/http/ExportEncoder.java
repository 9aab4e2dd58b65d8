package creditline.api.http;

import creditline.pricing.Credits;
import creditline.store.EventExport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * Encodes the request-level export as bytes, CSV or JSON Lines, straight from the database's
 * UTF-8 text and longs into one buffer written out whenever it fills: no String, boxed number or
 * per-cell call of a general CSV or JSON library per row (those made the export CPU-bound).
 *
 * <p>CSV is RFC 4180 as {@link creditline.analytics.Csv} defines it: CRLF after every record, a
 * cell quoted when it holds a comma, double quote, CR or LF (double quotes doubled), and a text
 * cell a spreadsheet would run as a formula written with a leading apostrophe exactly as
 * {@link creditline.analytics.Csv#neutralize} does. JSON Lines: one object per line, every line
 * ending with LF; strings escaped as Jackson escapes them (a backslash before a double quote or
 * backslash; short escapes for newline, return, tab, backspace and form feed; a six-character
 * unicode escape for the other control characters), other characters as their UTF-8 bytes (where
 * Jackson escapes those beyond the BMP as surrogate pairs: both read back the same);
 * the metadata column written as the JSON object it holds. Bytes of UTF-8 multi-byte sequences are
 * all 0x80 or above, so scanning the bytes for ASCII delimiters is exact.
 *
 * <p>Numbers: counts in decimal; credits as {@link Credits#format}; times as
 * {@link Instant#toString()} (ISO-8601 UTC, 0, 3 or 6 fractional digits).
 */
final class ExportEncoder {
    static final int BUFFER_BYTES = 64 * 1024;
    /** Room kept for one number, time or short literal before a flush check. */
    private static final int SCALAR_BYTES_MAX = 48;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** "00", "01", ... "99": two digits per division. */
    private static final byte[] PAIRS = new byte[200];
    private static final byte[] TRUE = bytes("true");
    private static final byte[] FALSE = bytes("false");
    private static final byte[] NULL = bytes("null");
    private static final List<EventExport.Column> COLUMNS = EventExport.COLUMNS;
    private static final EventExport.Kind[] KINDS = COLUMNS.stream().map(EventExport.Column::kind).toArray(EventExport.Kind[]::new);
    /** {@code {"id":}, then {@code ,"orgId":} and so on: each JSON key with what precedes and follows it. */
    private static final byte[][] JSON_KEYS = new byte[COLUMNS.size()][];

    static {
        for (int d = 0; d < 100; d++) {
            PAIRS[2 * d] = (byte) ('0' + d / 10);
            PAIRS[2 * d + 1] = (byte) ('0' + d % 10);
        }
        for (int k = 0; k < COLUMNS.size(); k++) JSON_KEYS[k] = bytes((k == 0 ? "{\"" : ",\"") + COLUMNS.get(k).name() + "\":");
    }

    private final OutputStream out;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private int n;
    /** The last date written (YYYY-MM-DD) and its day: the events of an export come in time order. */
    private final byte[] date = new byte[10];
    private long dateDay = Long.MIN_VALUE;

    ExportEncoder(OutputStream out) {
        this.out = out;
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(StandardCharsets.US_ASCII);
    }

    // ---- rows ----

    /** The CSV header record: the column names. */
    void csvHeader() throws IOException {
        for (int k = 0; k < COLUMNS.size(); k++) {
            if (k > 0) put((byte) ',');
            csvText(bytes(COLUMNS.get(k).name()));
        }
        crlf();
    }

    void csvRow(EventExport.Row row) throws IOException {
        for (int k = 0; k < KINDS.length; k++) {
            if (k > 0) put((byte) ',');
            switch (KINDS[k]) {
                case TEXT, JSON -> csvText(row.text(k));
                case COUNT -> number(row.number(k));
                case OPTIONAL_COUNT -> {
                    if (!row.isNull(k)) number(row.number(k));
                }
                case CREDITS -> credits(row.number(k));
                case TIME -> time(row.number(k));
                case BOOLEAN -> raw(row.number(k) != 0 ? TRUE : FALSE);
            }
        }
        crlf();
    }

    void jsonRow(EventExport.Row row) throws IOException {
        for (int k = 0; k < KINDS.length; k++) {
            raw(JSON_KEYS[k]);
            switch (KINDS[k]) {
                case TEXT -> {
                    byte[] v = row.text(k);
                    if (v == null) raw(NULL);
                    else jsonString(v);
                }
                case JSON -> {
                    byte[] v = row.text(k);
                    raw(v == null ? NULL : v);
                }
                case COUNT -> number(row.number(k));
                case OPTIONAL_COUNT -> {
                    if (row.isNull(k)) raw(NULL);
                    else number(row.number(k));
                }
                case CREDITS -> {
                    put((byte) '"');
                    credits(row.number(k));
                    put((byte) '"');
                }
                case TIME -> {
                    put((byte) '"');
                    time(row.number(k));
                    put((byte) '"');
                }
                case BOOLEAN -> raw(row.number(k) != 0 ? TRUE : FALSE);
            }
        }
        put((byte) '}');
        put((byte) '\n');
    }

    /** Writes out what is buffered (the stream itself is the caller's to flush and close). */
    void flush() throws IOException {
        if (n > 0) {
            out.write(buf, 0, n);
            n = 0;
        }
    }

    // ---- cells ----

    /** A text cell as {@link creditline.analytics.Csv#neutralize} and RFC 4180 quoting make it; null is an empty cell. */
    void csvText(byte[] v) throws IOException {
        if (v == null || v.length == 0) return;
        boolean neutralize = switch (v[0]) {
            case '=', '+', '-', '@', '\t', '\r', '\'' -> true;
            default -> false;
        };
        int quotes = -1; // -1: no quoting needed; else the number of double quotes to double
        for (byte b : v) {
            if (b == '"') quotes = Math.max(quotes, 0) + 1;
            else if ((b == ',' || b == '\r' || b == '\n') && quotes < 0) quotes = 0;
        }
        int len = v.length + (neutralize ? 1 : 0) + (quotes < 0 ? 0 : quotes + 2);
        if (len > buf.length - n) {
            flush();
            if (len > buf.length) {
                csvTextLarge(v, neutralize, quotes >= 0);
                return;
            }
        }
        if (quotes >= 0) buf[n++] = '"';
        if (neutralize) buf[n++] = '\'';
        if (quotes <= 0) {
            System.arraycopy(v, 0, buf, n, v.length);
            n += v.length;
        } else {
            for (byte b : v) {
                if (b == '"') buf[n++] = '"';
                buf[n++] = b;
            }
        }
        if (quotes >= 0) buf[n++] = '"';
    }

    /** A cell longer than the buffer, byte by byte. */
    private void csvTextLarge(byte[] v, boolean neutralize, boolean quote) throws IOException {
        if (quote) put((byte) '"');
        if (neutralize) put((byte) '\'');
        for (byte b : v) {
            if (b == '"') put((byte) '"');
            put(b);
        }
        if (quote) put((byte) '"');
    }

    /** A JSON string of UTF-8 bytes, escaped as Jackson escapes. */
    void jsonString(byte[] v) throws IOException {
        int escapes = 0;
        for (byte b : v) if ((b >= 0 && b < 0x20) || b == '"' || b == '\\') escapes++;
        int len = v.length + 2 + 5 * escapes;
        if (len > buf.length - n) {
            flush();
            if (len > buf.length) {
                put((byte) '"');
                for (byte b : v) {
                    ensure(6);
                    escaped(b);
                }
                put((byte) '"');
                return;
            }
        }
        buf[n++] = '"';
        if (escapes == 0) {
            System.arraycopy(v, 0, buf, n, v.length);
            n += v.length;
        } else {
            for (byte b : v) escaped(b);
        }
        buf[n++] = '"';
    }

    /** One byte of a JSON string; room for 6 bytes is there. */
    private void escaped(byte b) {
        if (b < 0 || (b >= 0x20 && b != '"' && b != '\\')) {
            buf[n++] = b;
            return;
        }
        buf[n++] = '\\';
        switch (b) {
            case '"' -> buf[n++] = '"';
            case '\\' -> buf[n++] = '\\';
            case '\n' -> buf[n++] = 'n';
            case '\r' -> buf[n++] = 'r';
            case '\t' -> buf[n++] = 't';
            case '\b' -> buf[n++] = 'b';
            case '\f' -> buf[n++] = 'f';
            default -> {
                buf[n++] = 'u';
                buf[n++] = '0';
                buf[n++] = '0';
                buf[n++] = HEX[b >> 4];
                buf[n++] = HEX[b & 0xF];
            }
        }
    }

    /** A long in decimal. */
    void number(long v) throws IOException {
        ensure(SCALAR_BYTES_MAX);
        if (v < 0) {
            if (v == Long.MIN_VALUE) {
                byte[] s = bytes(Long.toString(v));
                System.arraycopy(s, 0, buf, n, s.length);
                n += s.length;
                return;
            }
            buf[n++] = '-';
            v = -v;
        }
        digits(v, 1);
    }

    /**
     * {@code v >= 0} with at least {@code width} digits (zeros in front); room is there. Two
     * digits per division, in int arithmetic when the value fits: a row has some 200 digits, and
     * a long division per digit made this the export's hottest loop.
     */
    private void digits(long v, int width) {
        int start = n;
        int len = Math.max(v <= Integer.MAX_VALUE ? length((int) v) : Long.toString(v).length(), width);
        int i = start + len;
        n = i;
        while (v > Integer.MAX_VALUE) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            v = q;
            buf[--i] = PAIRS[2 * r + 1];
            buf[--i] = PAIRS[2 * r];
        }
        int w = (int) v;
        while (w >= 100) {
            int q = w / 100;
            int r = w - q * 100;
            w = q;
            buf[--i] = PAIRS[2 * r + 1];
            buf[--i] = PAIRS[2 * r];
        }
        if (w >= 10) {
            buf[--i] = PAIRS[2 * w + 1];
            buf[--i] = PAIRS[2 * w];
        } else {
            buf[--i] = (byte) ('0' + w);
        }
        while (i > start) buf[--i] = '0';
    }

    private static int length(int v) {
        int len = 1;
        for (int bound = 10; len < 10 && v >= bound; bound *= 10) len++;
        return len;
    }

    /** Micro-credits as {@link Credits#format}: at least 2 and at most 6 fractional digits. */
    void credits(long micros) throws IOException {
        ensure(SCALAR_BYTES_MAX);
        long whole = micros / Credits.MICROS_PER_CREDIT;
        long fraction = Math.abs(micros % Credits.MICROS_PER_CREDIT);
        int width = Credits.SCALE_MAX;
        while (width > 2 && fraction % 10 == 0) {
            fraction /= 10;
            width--;
        }
        if (micros < 0) buf[n++] = '-';
        digits(Math.abs(whole), 1);
        buf[n++] = '.';
        digits(fraction, width);
    }

    /** Microseconds since the epoch as {@link Instant#toString()}. */
    void time(long micros) throws IOException {
        ensure(SCALAR_BYTES_MAX);
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int micro = (int) Math.floorMod(micros, 1_000_000L);
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        if (days != dateDay) {
            // Civil date from days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
            long z = days + 719_468;
            long era = Math.floorDiv(z, 146_097);
            long doe = z - era * 146_097;
            long yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            long day = doy - (153 * mp + 2) / 5 + 1;
            long month = mp < 10 ? mp + 3 : mp - 9;
            long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
            if (year < 0 || year > 9999) { // Instant.toString writes a sign and more digits there
                byte[] s = bytes(Instant.ofEpochSecond(seconds, micro * 1_000L).toString());
                System.arraycopy(s, 0, buf, n, s.length);
                n += s.length;
                return;
            }
            int at = n;
            digits(year, 4);
            buf[n++] = '-';
            digits(month, 2);
            buf[n++] = '-';
            digits(day, 2);
            System.arraycopy(buf, at, date, 0, date.length);
            dateDay = days;
        } else {
            System.arraycopy(date, 0, buf, n, date.length);
            n += date.length;
        }
        buf[n++] = 'T';
        digits(secondOfDay / 3600, 2);
        buf[n++] = ':';
        digits(secondOfDay / 60 % 60, 2);
        buf[n++] = ':';
        digits(secondOfDay % 60, 2);
        if (micro != 0) {
            buf[n++] = '.';
            if (micro % 1000 == 0) digits(micro / 1000, 3);
            else digits(micro, 6);
        }
        buf[n++] = 'Z';
    }

    private void raw(byte[] v) throws IOException {
        if (v.length > buf.length - n) {
            flush();
            if (v.length > buf.length) {
                out.write(v);
                return;
            }
        }
        System.arraycopy(v, 0, buf, n, v.length);
        n += v.length;
    }

    private void crlf() throws IOException {
        ensure(2);
        buf[n++] = '\r';
        buf[n++] = '\n';
    }

    private void put(byte b) throws IOException {
        ensure(1);
        buf[n++] = b;
    }

    private void ensure(int bytes) throws IOException {
        if (buf.length - n < bytes) flush();
    }
}
