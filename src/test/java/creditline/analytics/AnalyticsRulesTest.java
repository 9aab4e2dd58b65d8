package creditline.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.common.Failure;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tables of the pure rules: date ranges and the average per day, CSV cells, member-table and export parameters. */
class AnalyticsRulesTest {
    @Test
    void rangesAreHalfOpenAndTheAverageRoundsOnceHalfUp() {
        record Case(String from, String to, int days, long totalMicros, long perDayMicros) {}
        for (Case c : List.of(
                new Case("2026-11-01", "2026-11-02", 1, 5_000_000, 5_000_000),
                new Case("2026-11-01", "2026-11-15", 14, 18_500_000, 1_321_429),
                new Case("2026-10-31", "2026-11-01", 1, 0, 0),
                new Case("2026-02-01", "2026-03-01", 28, 1, 0),
                new Case("2028-02-01", "2028-03-01", 29, 29, 1),
                new Case("2026-11-01", "2026-11-04", 3, 5, 2), // 1.666… up
                new Case("2026-11-01", "2026-11-05", 4, 2, 1), // 0.5 half-up
                new Case("2025-01-01", "2026-02-05", 400, 400_000_000, 1_000_000))) {
            DateRange r = DateRange.parse(c.from(), c.to());
            assertThat(r.days()).as(c.toString()).isEqualTo(c.days());
            assertThat(r.perDayMicros(c.totalMicros())).as(c.toString()).isEqualTo(c.perDayMicros());
            assertThat(r.toEpochDay() - r.fromEpochDay()).isEqualTo(c.days());
            assertThat(r.fromInstant()).isEqualTo(LocalDate.parse(c.from()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant());
        }
        record Bad(String from, String to, String field, String message) {}
        for (Bad b : List.of(
                new Bad(null, "2026-11-02", "from", "from is required"),
                new Bad("2026-11-01", "", "to", "to is required"),
                new Bad("20261101", "2026-11-02", "from", "YYYY-MM-DD"),
                new Bad("2026-13-01", "2026-11-02", "from", "got '2026-13-01'"),
                new Bad("+2026-11-01", "2026-11-02", "from", "YYYY-MM-DD"),
                new Bad("2026-11-02", "2026-11-02", "to", "must be after from"),
                new Bad("2025-01-01", "2026-02-06", "to", "spans 401 days"))) {
            assertThatThrownBy(() -> DateRange.parse(b.from(), b.to())).as(b.toString()).isInstanceOf(Failure.class)
                    .hasMessageContaining(b.message()).satisfies(f -> assertThat(((Failure) f).details()).containsEntry("field", b.field()));
        }
    }

    @Test
    void cellsASpreadsheetWouldRunAreNeutralizedReversibly() {
        record Case(String cell, String written) {}
        for (Case c : List.of(
                new Case("=1+2", "'=1+2"), new Case("+1", "'+1"), new Case("-1", "'-1"), new Case("@SUM(A1)", "'@SUM(A1)"),
                new Case("\tx", "'\tx"), new Case("\rx", "'\rx"), new Case("'quoted", "''quoted"), new Case("a=b", "a=b"),
                new Case("plain", "plain"), new Case(" =x", " =x"), new Case("", ""), new Case("日本=", "日本="))) {
            assertThat(Csv.neutralize(c.cell())).as(c.cell()).isEqualTo(c.written());
            assertThat(Csv.restore(Csv.neutralize(c.cell()))).isEqualTo(c.cell());
        }
        assertThat(Csv.neutralize(null)).isNull();
    }

    @Test
    void memberTableParametersHaveDefaultsAndLimits() {
        MemberQuery d = MemberQuery.parse(null, null, null, null, null);
        assertThat(d).isEqualTo(new MemberQuery(MemberQuery.Sort.CREDITS, true, null, 1, 50));
        assertThat(MemberQuery.parse("member", null, "Ada", "3", "500"))
                .isEqualTo(new MemberQuery(MemberQuery.Sort.MEMBER, false, "ada", 3, 500));
        assertThat(MemberQuery.parse("credits", "asc", "", "100000", "1").offset()).isEqualTo(99_999);
        record Bad(String sort, String order, String search, String page, String pageSize, String field) {}
        for (Bad b : List.of(new Bad("budget", null, null, null, null, "sort"), new Bad(null, "up", null, null, null, "order"),
                new Bad(null, null, "x".repeat(321), null, null, "search"), new Bad(null, null, null, "0", null, "page"),
                new Bad(null, null, null, "100001", null, "page"), new Bad(null, null, null, "x", null, "page"),
                new Bad(null, null, null, null, "0", "pageSize"), new Bad(null, null, null, null, "501", "pageSize"))) {
            assertThatThrownBy(() -> MemberQuery.parse(b.sort(), b.order(), b.search(), b.page(), b.pageSize())).as(b.toString())
                    .isInstanceOf(Failure.class).satisfies(f -> assertThat(((Failure) f).details()).containsEntry("field", b.field()));
        }
    }

    @Test
    void exportFiltersTakeRepeatsAndCommaListsUpToALimit() {
        DateRange r = DateRange.parse("2026-11-01", "2026-11-02");
        EventFilter f = EventFilter.parse(r, List.of("a,b", "c", "a"), List.of("chat"), List.of("x,y@z.io", "SA bot"), "jsonl");
        assertThat(f.models()).containsExactly("a", "b", "c");
        assertThat(f.activities()).containsExactly("chat");
        assertThat(f.memberIds()).as("member ids may hold commas: never split").containsExactly("x,y@z.io", "SA bot");
        assertThat(f.format()).isEqualTo(EventFilter.Format.JSONL);
        assertThat(EventFilter.parse(r, List.of(), List.of(), List.of(), null).format()).isEqualTo(EventFilter.Format.CSV);
        List<String> many = java.util.stream.IntStream.rangeClosed(0, EventFilter.VALUES_MAX).mapToObj(i -> "m" + i).toList();
        assertThatThrownBy(() -> EventFilter.parse(r, many, List.of(), List.of(), null)).hasMessageContaining("at most 100");
        assertThatThrownBy(() -> EventFilter.parse(r, List.of("a,,b"), List.of(), List.of(), null)).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> EventFilter.parse(r, List.of(), List.of(), List.of(), "xml")).hasMessageContaining("csv or jsonl");
    }
}
