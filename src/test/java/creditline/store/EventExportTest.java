package creditline.store;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.analytics.DateRange;
import creditline.analytics.EventFilter;
import creditline.testing.Databases;
import creditline.testing.Seeds;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded property (replay with {@code -Dcreditline.seed=N}): the export's rows hold exactly what
 * the events' columns hold, read one by one through JDBC — NULL apart from empty text, multi-byte
 * and delimiter characters in text, the extremes of the number columns — whether the store reads
 * each column (PostgreSQL) or the row packed into one value (SQLite).
 */
class EventExportTest {
    private static final List<String> TEXTS = List.of("", "plain", "comma, inside", "quote \" inside", "line\nbreak\r\n", "unicode ✓ Grüße 日本 🚀",
            "=1+2", ",,,", "12,34,", "-5", "{\"ticket\":\"ABC-1\",\"n\":2}");
    private static final long[] NUMBERS = {0, 1, 9, 10, 99, 1_234_567, Long.MAX_VALUE, Long.MIN_VALUE, -1, -10_000_000};

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgres"})
    void exportedRowsHoldTheEventsColumnsExactly(String kind) throws Exception {
        long seed = Seeds.seed("EventExportTest." + kind);
        SplittableRandom r = new SplittableRandom(seed);
        String location = Databases.fresh(kind);
        List<EventExport.Column> columns = EventExport.COLUMNS;
        try (Database db = Database.open(location)) {
            // More rows than one batch of the reader, so batches are reused.
            int rows = EventExport.BATCH_ROWS * 2 + 1 + r.nextInt(300);
            StringBuilder insert = new StringBuilder("INSERT INTO usage_events (");
            for (int k = 0; k < columns.size(); k++) insert.append(k == 0 ? "" : ", ").append(columns.get(k).sql());
            insert.append(") VALUES (").append("?, ".repeat(columns.size() - 1)).append("?)");
            long day0Micros = LocalDate.of(2026, 11, 1).toEpochDay() * 86_400_000_000L;
            try (Connection c = db.readers().getConnection(); PreparedStatement ps = c.prepareStatement(insert.toString())) {
                for (int i = 0; i < rows; i++) {
                    for (int k = 0; k < columns.size(); k++) {
                        String sql = columns.get(k).sql();
                        int p = k + 1;
                        switch (columns.get(k).kind()) {
                            case TEXT, JSON -> {
                                if (sql.equals("event_id")) ps.setString(p, "ev-" + i);
                                else if (sql.equals("org_id")) ps.setString(p, i % 7 == 0 ? "other" : "org");
                                else if (sql.equals("metadata")) ps.setString(p, r.nextBoolean() ? null : "{\"k\":\"" + i + " ✓\"}");
                                else if (sql.equals("member_id") || sql.equals("model_id") || sql.equals("activity")) ps.setString(p, TEXTS.get(r.nextInt(TEXTS.size())));
                                else ps.setString(p, r.nextInt(4) == 0 ? null : TEXTS.get(r.nextInt(TEXTS.size())));
                            }
                            // Distinct times in row order: the export's order is the insert order.
                            case TIME -> ps.setLong(p, sql.equals("occurred_at_micros") ? day0Micros + i * 1_000_003L : r.nextLong(1L << 53));
                            case BOOLEAN -> ps.setBoolean(p, r.nextBoolean());
                            case COUNT, CREDITS -> ps.setLong(p, NUMBERS[r.nextInt(NUMBERS.length)]);
                            case OPTIONAL_COUNT -> {
                                if (r.nextInt(3) == 0) ps.setNull(p, java.sql.Types.BIGINT);
                                else if (sql.equals("rate_version")) ps.setLong(p, r.nextInt(Integer.MAX_VALUE));
                                else ps.setLong(p, NUMBERS[r.nextInt(NUMBERS.length)]);
                            }
                        }
                    }
                    ps.addBatch();
                }
                ps.executeBatch();
            }

            List<List<Object>> expected = new ArrayList<>();
            StringBuilder select = new StringBuilder("SELECT ");
            for (int k = 0; k < columns.size(); k++) select.append(k == 0 ? "" : ", ").append(columns.get(k).sql());
            select.append(" FROM usage_events WHERE org_id = 'org' ORDER BY occurred_at_micros");
            try (Connection c = db.readers().getConnection(); PreparedStatement ps = c.prepareStatement(select.toString());
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int k = 0; k < columns.size(); k++) {
                        int p = k + 1;
                        row.add(switch (columns.get(k).kind()) {
                            case TEXT, JSON -> rs.getString(p);
                            case BOOLEAN -> rs.getBoolean(p) ? 1L : 0L;
                            case COUNT, CREDITS, TIME -> rs.getLong(p);
                            case OPTIONAL_COUNT -> {
                                long v = rs.getLong(p);
                                yield rs.wasNull() ? null : v;
                            }
                        });
                    }
                    expected.add(row);
                }
            }

            List<List<Object>> got = new ArrayList<>();
            EventFilter all = new EventFilter(new DateRange(LocalDate.of(2026, 11, 1), LocalDate.of(2026, 11, 2)), Set.of(), Set.of(), Set.of(),
                    EventFilter.Format.CSV);
            long count;
            try (Connection c = db.readers().getConnection()) {
                c.setAutoCommit(false);
                count = EventExport.stream(c, "org", all, new EventExport.RowSink() {
                    @Override
                    public void start() {}

                    @Override
                    public void row(EventExport.Row row) {
                        List<Object> out = new ArrayList<>();
                        for (int k = 0; k < columns.size(); k++) {
                            out.add(switch (columns.get(k).kind()) {
                                case TEXT, JSON -> row.text(k) == null ? null : new String(row.text(k), StandardCharsets.UTF_8);
                                case BOOLEAN, COUNT, CREDITS, TIME -> row.number(k);
                                case OPTIONAL_COUNT -> row.isNull(k) ? null : row.number(k);
                            });
                        }
                        got.add(out);
                    }
                });
                c.commit();
            }
            String replay = Seeds.replay(seed);
            assertThat(expected).as(replay).hasSizeGreaterThan(EventExport.BATCH_ROWS);
            assertThat(count).as(replay).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(Arrays.asList(got.get(i).toArray())).as(replay + " row " + i).isEqualTo(expected.get(i));
            }
        } finally {
            Databases.drop(location);
        }
    }
}
