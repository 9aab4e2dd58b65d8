package creditline.analytics;

import creditline.auth.Member;
import creditline.common.Failure;

/**
 * How the member table is ordered, filtered and paged. {@code search} is a case-insensitive
 * substring of the member id (ASCII letters fold), or null for all members.
 */
public record MemberQuery(Sort sort, boolean descending, String search, int page, int pageSize) {
    public static final int PAGE_SIZE_DEFAULT = 50;
    public static final int PAGE_SIZE_MAX = 500;
    public static final int PAGE_MAX = 100_000;

    public enum Sort { CREDITS, MEMBER }

    public MemberQuery {
        if (page < 1 || page > PAGE_MAX) throw new IllegalArgumentException("page out of range: " + page);
        if (pageSize < 1 || pageSize > PAGE_SIZE_MAX) throw new IllegalArgumentException("pageSize out of range: " + pageSize);
    }

    /** The whole table in one ordering (CSV exports). */
    public static MemberQuery all(Sort sort, boolean descending, String search) {
        return new MemberQuery(sort, descending, search, 1, PAGE_SIZE_MAX);
    }

    /** Parses the query parameters; absent ones take their defaults (credits descending, member ascending). */
    public static MemberQuery parse(String sort, String order, String search, String page, String pageSize) {
        Sort s = switch (sort == null ? "credits" : sort) {
            case "credits" -> Sort.CREDITS;
            case "member" -> Sort.MEMBER;
            default -> throw Failure.invalid("sort", "sort must be credits or member, got '" + sort + "'");
        };
        boolean descending = switch (order == null ? (s == Sort.CREDITS ? "desc" : "asc") : order) {
            case "desc" -> true;
            case "asc" -> false;
            default -> throw Failure.invalid("order", "order must be asc or desc, got '" + order + "'");
        };
        if (search != null && search.length() > Member.ID_LENGTH_MAX) {
            throw Failure.invalid("search", "search must be at most " + Member.ID_LENGTH_MAX + " characters");
        }
        // No member id holds one; SQLite's LIKE would end the pattern at a NUL and match everyone.
        if (search != null && search.chars().anyMatch(Character::isISOControl)) {
            throw Failure.invalid("search", "search must not contain control characters");
        }
        String needle = search == null || search.isEmpty() ? null : asciiLowerCase(search);
        return new MemberQuery(s, descending, needle, bounded("page", page, 1, PAGE_MAX, 1),
                bounded("pageSize", pageSize, 1, PAGE_SIZE_MAX, PAGE_SIZE_DEFAULT));
    }

    /**
     * {@code s} with A-Z as a-z and every other character as it is: the databases' LOWER() on
     * member ids (SQLite's, and PostgreSQL's in the "C" collation of every text column) does the same.
     */
    static String asciiLowerCase(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c);
        }
        return b.toString();
    }

    static int bounded(String name, String value, int min, int max, int otherwise) {
        if (value == null) return otherwise;
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw Failure.invalid(name, name + " must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    public long offset() {
        return (long) (page - 1) * pageSize;
    }
}
