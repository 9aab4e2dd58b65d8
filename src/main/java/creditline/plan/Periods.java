package creditline.plan;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** Calendar-month billing periods in UTC, half-open. */
public final class Periods {
    private Periods() {}

    public static LocalDate periodStart(Instant at) {
        return YearMonth.from(at.atOffset(ZoneOffset.UTC)).atDay(1);
    }

    public static Instant startInstant(LocalDate periodStart) {
        return periodStart.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The exclusive end of the period starting at {@code periodStart}. */
    public static Instant endInstant(LocalDate periodStart) {
        return periodStart.plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }
}
