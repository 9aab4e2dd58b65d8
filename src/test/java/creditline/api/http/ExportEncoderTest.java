package creditline.api.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import creditline.analytics.Csv;
import creditline.pricing.Credits;
import creditline.store.EventExport;
import creditline.testing.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/**
 * The export's byte encoder against the references it replaces: {@link Credits#format},
 * {@link Instant#toString()}, {@link Long#toString}, Jackson's string escaping and parsing, and commons-csv
 * reading back every cell (neutralized as {@link Csv#neutralize}). Seeded random cases.
 */
class ExportEncoderTest {
    private static final String AWKWARD = ",\"\r\n\t=+-@' \\/\b\f\u0000\u0001\u001f\u007fé✓日🚀ab1";
    private static final int CASES = 20_000;

    private interface Write {
        void to(ExportEncoder e) throws IOException;
    }

    private static String encoded(Write w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ExportEncoder e = new ExportEncoder(out);
        w.to(e);
        e.flush();
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String awkward(SplittableRandom r, int maxChars) {
        StringBuilder s = new StringBuilder();
        int len = r.nextInt(maxChars + 1);
        while (s.length() < len) s.appendCodePoint(AWKWARD.codePointAt(AWKWARD.offsetByCodePoints(0, r.nextInt(AWKWARD.codePointCount(0, AWKWARD.length())))));
        return s.toString();
    }

    private static long anyLong(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> r.nextLong();
            case 1 -> r.nextLong(-10_000_000, 10_000_000);
            case 2 -> r.nextLong(1_000_000) * (r.nextBoolean() ? 1 : 1_000);
            default -> List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE, 999_999L, -999_999L, 1_000_000L, -1_000_000L).get(r.nextInt(9));
        };
    }

    @Test
    void numbersCreditsAndTimesAreWrittenAsTheJdkAndCreditsWriteThem() throws IOException {
        long seed = Seeds.seed("ExportEncoderTest.numbers");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            long v = anyLong(r);
            assertThat(encoded(e -> e.number(v))).as(Seeds.replay(seed)).isEqualTo(Long.toString(v));
            if (v != Long.MIN_VALUE) assertThat(encoded(e -> e.credits(v))).as(Seeds.replay(seed)).isEqualTo(Credits.format(v));
            // Times from year 1 to 9999 and beyond both ways; micros with 0, 3 or 6 significant fractional digits.
            long seconds = r.nextLong(-62_135_596_800L - 86_400L * 800, 253_402_300_800L + 86_400L * 800);
            long micro = switch (r.nextInt(3)) {
                case 0 -> 0;
                case 1 -> r.nextInt(1000) * 1000L;
                default -> r.nextInt(1_000_000);
            };
            long micros = seconds * 1_000_000L + micro;
            assertThat(encoded(e -> e.time(micros))).as(Seeds.replay(seed) + " " + micros)
                    .isEqualTo(Instant.ofEpochSecond(seconds, micro * 1000).toString());
        }
        // One encoder for many times, as an export writes them: mostly the same day, sometimes another.
        List<Long> times = new ArrayList<>();
        long at = 1_790_000_000_000_000L;
        for (int i = 0; i < CASES; i++) {
            at += r.nextInt(10) == 0 ? r.nextLong(-200_000_000_000L, 200_000_000_000L) : r.nextLong(5_000_000_000L);
            times.add(at);
        }
        String expected = String.join(",", times.stream().map(t -> Instant.ofEpochSecond(0, t * 1000).toString()).toList());
        assertThat(encoded(e -> {
            for (int i = 0; i < times.size(); i++) {
                if (i > 0) e.csvText(new byte[] {'x'});
                e.time(times.get(i));
            }
        }).replace("x", ",")).as(Seeds.replay(seed)).isEqualTo(expected);
        assertThat(encoded(e -> e.time(0))).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(encoded(e -> e.time(-1))).isEqualTo("1969-12-31T23:59:59.999999Z");
        assertThat(encoded(e -> e.credits(-5))).isEqualTo("-0.000005");
    }

    @Test
    void jsonStringsReadBackAndAreEscapedAsJacksonEscapesThem() throws IOException {
        long seed = Seeds.seed("ExportEncoderTest.json");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            String s = i == 0 ? "x".repeat(3 * ExportEncoder.BUFFER_BYTES) + "\"\n" : awkward(r, 40);
            ByteArrayOutputStream jackson = new ByteArrayOutputStream();
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(jackson)) {
                g.writeString(s);
            }
            String ours = encoded(e -> e.jsonString(s.getBytes(StandardCharsets.UTF_8)));
            assertThat(Json.parse(ours.getBytes(StandardCharsets.UTF_8)).textValue()).as(Seeds.replay(seed)).isEqualTo(s);
            // Jackson escapes characters beyond the BMP as surrogate pairs; the encoder keeps their UTF-8 bytes.
            if (s.codePoints().allMatch(Character::isBmpCodePoint)) {
                assertThat(ours).as(Seeds.replay(seed)).isEqualTo(jackson.toString(StandardCharsets.UTF_8));
            } else {
                assertThat(ours).as(Seeds.replay(seed)).contains("🚀");
            }
        }
    }

    @Test
    void csvCellsReadBackNeutralizedAndRestoreToTheOriginal() throws IOException {
        long seed = Seeds.seed("ExportEncoderTest.csv");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < CASES; i++) {
            String s = i == 0 ? "\"=,\r\n".repeat(ExportEncoder.BUFFER_BYTES / 3) : awkward(r, 12);
            String cell = encoded(e -> e.csvText(s.getBytes(StandardCharsets.UTF_8)));
            if (s.isEmpty()) {
                assertThat(cell).isEmpty();
                continue;
            }
            try (CSVParser p = Csv.READ.parse(new StringReader(cell + ",x\r\n"))) {
                List<CSVRecord> got = p.getRecords();
                assertThat(got).as(Seeds.replay(seed)).hasSize(1);
                assertThat(got.get(0).values()).as(Seeds.replay(seed)).containsExactly(Csv.neutralize(s), "x");
                assertThat(Csv.restore(got.get(0).get(0))).isEqualTo(s);
            }
        }
        assertThat(encoded(e -> e.csvText("a,\"b\"".getBytes(StandardCharsets.UTF_8)))).isEqualTo("\"a,\"\"b\"\"\"");
        assertThat(encoded(e -> e.csvText("=1".getBytes(StandardCharsets.UTF_8)))).isEqualTo("'=1");
        assertThat(encoded(e -> e.csvText("plain ✓".getBytes(StandardCharsets.UTF_8)))).isEqualTo("plain ✓");
    }

    /** A row of the export from plain values (text as String, numbers as Long, null when absent). */
    private record FakeRow(Object[] values) implements EventExport.Row {
        @Override
        public boolean isNull(int column) {
            return values[column] == null;
        }

        @Override
        public long number(int column) {
            return (Long) values[column];
        }

        @Override
        public byte[] text(int column) {
            return values[column] == null ? null : ((String) values[column]).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static Object[] sampleRow(SplittableRandom r) {
        Object[] v = new Object[EventExport.COLUMNS.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = switch (EventExport.COLUMNS.get(k).kind()) {
                case TEXT -> r.nextInt(4) == 0 ? null : awkward(r, 10);
                case JSON -> r.nextBoolean() ? null : Json.MAPPER.createObjectNode().put("k", awkward(r, 8)).put("n", r.nextInt()).toString();
                case COUNT -> r.nextLong(0, Long.MAX_VALUE);
                case OPTIONAL_COUNT -> r.nextBoolean() ? null : r.nextLong(0, 1_000_000);
                case CREDITS -> r.nextLong(-1_000_000_000L, 1_000_000_000_000L);
                case TIME -> r.nextLong(1_700_000_000_000_000L, 1_900_000_000_000_000L);
                case BOOLEAN -> r.nextBoolean() ? 1L : 0L;
            };
        }
        return v;
    }

    @Test
    void rowsAsCsvAndJsonLinesCarryEveryColumn() throws IOException {
        long seed = Seeds.seed("ExportEncoderTest.rows");
        SplittableRandom r = new SplittableRandom(seed);
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) rows.add(sampleRow(r));
        String csv = encoded(e -> {
            e.csvHeader();
            for (Object[] row : rows) e.csvRow(new FakeRow(row));
        });
        String jsonl = encoded(e -> {
            for (Object[] row : rows) e.jsonRow(new FakeRow(row));
        });
        assertThat(csv).endsWith("\r\n");
        assertThat(jsonl).endsWith("}\n");
        List<String> lines = jsonl.lines().toList();
        assertThat(lines).hasSize(rows.size());
        try (CSVParser p = Csv.READ.parse(new StringReader(csv))) {
            List<CSVRecord> got = p.getRecords();
            assertThat(got.get(0).values()).containsExactly(EventExport.COLUMNS.stream().map(EventExport.Column::name).toArray(String[]::new));
            for (int i = 0; i < rows.size(); i++) {
                Object[] want = rows.get(i);
                CSVRecord rec = got.get(i + 1);
                JsonNode json = Json.parse(lines.get(i).getBytes(StandardCharsets.UTF_8));
                for (int k = 0; k < want.length; k++) {
                    EventExport.Column c = EventExport.COLUMNS.get(k);
                    Object v = want[k];
                    String as = Seeds.replay(seed) + " row " + i + " " + c.name();
                    JsonNode j = json.get(c.name());
                    switch (c.kind()) {
                        case TEXT -> {
                            assertThat(Csv.restore(rec.get(k))).as(as).isEqualTo(v == null ? "" : v);
                            assertThat(j.isNull() ? null : j.asText()).as(as).isEqualTo(v);
                        }
                        case JSON -> {
                            assertThat(rec.get(k)).as(as).isEqualTo(v == null ? "" : v);
                            assertThat(j.isNull() ? null : j.toString()).as(as).isEqualTo(v);
                        }
                        case COUNT, OPTIONAL_COUNT -> {
                            assertThat(rec.get(k)).as(as).isEqualTo(v == null ? "" : v.toString());
                            assertThat(j.isNull() ? null : j.asLong()).as(as).isEqualTo(v);
                        }
                        case CREDITS -> {
                            assertThat(rec.get(k)).as(as).isEqualTo(Credits.format((Long) v));
                            assertThat(j.asText()).as(as).isEqualTo(Credits.format((Long) v));
                        }
                        case TIME -> {
                            String t = Instant.ofEpochSecond(0, 1000 * (Long) v).toString();
                            assertThat(rec.get(k)).as(as).isEqualTo(t);
                            assertThat(j.asText()).as(as).isEqualTo(t);
                        }
                        case BOOLEAN -> {
                            assertThat(rec.get(k)).as(as).isEqualTo(String.valueOf((Long) v != 0));
                            assertThat(j.asBoolean()).as(as).isEqualTo((Long) v != 0);
                            assertThat(j.isBoolean()).as(as).isTrue();
                        }
                    }
                }
            }
        }
    }
}
