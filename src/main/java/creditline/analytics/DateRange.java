package creditline.analytics;

import creditline.common.Failure;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A half-open range of UTC days {@code [from, to)}: {@code from} is the first day counted,
 * {@code to} the first day not counted. Every usage view and export takes its days this way.
 */
public record DateRange(LocalDate from, LocalDate to) {
    /** The longest range a view or export accepts. */
    public static final int DAYS_MAX = 400;
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

    public DateRange {
        if (!to.isAfter(from)) throw new IllegalArgumentException("to must be after from");
        if (ChronoUnit.DAYS.between(from, to) > DAYS_MAX) throw new IllegalArgumentException("at most " + DAYS_MAX + " days");
    }

    /** Parses the {@code from} and {@code to} query parameters, failing with a message naming the parameter. */
    public static DateRange parse(String from, String to) {
        LocalDate f = date("from", from);
        LocalDate t = date("to", to);
        if (!t.isAfter(f)) {
            throw Failure.invalid("to", "to (" + t + ") must be after from (" + f + "): the range [from, to) counts from's day and stops before to's");
        }
        long days = ChronoUnit.DAYS.between(f, t);
        if (days > DAYS_MAX) {
            throw new Failure(Failure.Kind.INVALID, "VALIDATION_ERROR", "the range " + f + " to " + t + " spans " + days + " days; at most "
                    + DAYS_MAX + " days are allowed", Map.of("field", "to", "daysMax", DAYS_MAX));
        }
        return new DateRange(f, t);
    }

    private static LocalDate date(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", name + " is required: a UTC date YYYY-MM-DD", Map.of("field", name));
        }
        try {
            if (DATE.matcher(value).matches()) return LocalDate.parse(value);
        } catch (DateTimeParseException ignored) {
            // reported below
        }
        throw Failure.invalid(name, name + " must be a date YYYY-MM-DD, got '" + value + "'");
    }

    public int days() {
        return (int) ChronoUnit.DAYS.between(from, to);
    }

    public long fromEpochDay() {
        return from.toEpochDay();
    }

    public long toEpochDay() {
        return to.toEpochDay();
    }

    public Instant fromInstant() {
        return from.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    public Instant toInstant() {
        return to.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** {@code totalMicros} spread over the range's days, rounded half-up to a micro-credit (the one rounding step). */
    public long perDayMicros(long totalMicros) {
        return BigDecimal.valueOf(totalMicros).divide(BigDecimal.valueOf(days()), 0, RoundingMode.HALF_UP).longValueExact();
    }
}
