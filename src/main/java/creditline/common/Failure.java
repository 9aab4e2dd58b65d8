package creditline.common;

import java.util.Map;

/**
 * An operating error the caller must handle: a precise {@code code} (SNAKE_CASE), a human
 * message and optional details. The HTTP layer maps {@link Kind} to a status in one place.
 */
public final class Failure extends RuntimeException {
    public enum Kind { INVALID, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, TOO_LARGE, OVERLOADED }

    private final Kind kind;
    private final String code;
    private final Map<String, Object> details;

    public Failure(Kind kind, String code, String message, Map<String, Object> details) {
        super(message, null, false, false);
        this.kind = kind;
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public Failure(Kind kind, String code, String message) {
        this(kind, code, message, Map.of());
    }

    public static Failure invalid(String message) {
        return new Failure(Kind.INVALID, "VALIDATION_ERROR", message);
    }

    public static Failure invalid(String field, String message) {
        return new Failure(Kind.INVALID, "VALIDATION_ERROR", message, Map.of("field", field));
    }

    public static Failure notFound(String code, String message) {
        return new Failure(Kind.NOT_FOUND, code, message);
    }

    public Kind kind() { return kind; }
    public String code() { return code; }
    public Map<String, Object> details() { return details; }
}
