package creditline.analytics;

import creditline.common.Failure;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which events the request-level export streams: a date range of occurrence and optional sets of
 * models, activities and members (empty = all).
 */
public record EventFilter(DateRange range, Set<String> models, Set<String> activities, Set<String> memberIds, Format format) {
    /** The most values one filter takes. */
    public static final int VALUES_MAX = 100;

    public enum Format {
        CSV, JSONL;

        public static Format parse(String s) {
            return switch (s == null ? "csv" : s) {
                case "csv" -> CSV;
                case "jsonl" -> JSONL;
                default -> throw Failure.invalid("format", "format must be csv or jsonl, got '" + s + "'");
            };
        }

        public String extension() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The filter from repeated query parameters; a model or activity value may also be a
     * comma-separated list (their ids never contain commas; member ids may, so they repeat).
     */
    public static EventFilter parse(DateRange range, List<String> models, List<String> activities, List<String> memberIds, String format) {
        return new EventFilter(range, values("model", models, true), values("activity", activities, true),
                values("memberId", memberIds, false), Format.parse(format));
    }

    private static Set<String> values(String name, List<String> raw, boolean commaLists) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : raw) {
            for (String one : commaLists ? v.split(",") : new String[] {v}) {
                String s = one.strip();
                if (s.isEmpty()) throw Failure.invalid(name, name + " must not be empty");
                out.add(s);
            }
        }
        if (out.size() > VALUES_MAX) throw Failure.invalid(name, "at most " + VALUES_MAX + " values of " + name + " are allowed, got " + out.size());
        return out;
    }
}
