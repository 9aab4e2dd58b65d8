package creditline.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import creditline.common.Failure;
import creditline.pricing.Credits;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The one JSON mapper and typed, precisely-failing accessors over request trees. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {}

    public static JsonNode parse(byte[] body) {
        if (body.length == 0) throw new Failure(Failure.Kind.INVALID, "MALFORMED_JSON", "the request body is empty; a JSON document is expected");
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) throw new Failure(Failure.Kind.INVALID, "MALFORMED_JSON", "the request body is empty; a JSON document is expected");
            return node;
        } catch (JsonProcessingException e) {
            throw new Failure(Failure.Kind.INVALID, "MALFORMED_JSON", "the request body is not valid JSON: " + describe(e),
                    Map.of("line", e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
                            "column", e.getLocation() == null ? 0 : e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new Failure(Failure.Kind.INVALID, "MALFORMED_JSON", "the request body could not be read: " + e.getMessage());
        }
    }

    /** What is wrong with a JSON document, in the user's terms rather than the parser's settings. */
    private static String describe(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        if (m.contains("FAIL_ON_TRAILING_TOKENS")) return "something follows the JSON document (send one document per request)";
        if (m.contains("FAIL_ON_READING_DUP_TREE_KEY")) {
            int at = m.indexOf(" for `");
            return (at > 0 ? m.substring(0, at) : "Duplicate field") + " (each field may appear once per object)";
        }
        if (m.contains("NestingDepth")) return "it is nested too deeply";
        if (m.contains("StreamReadConstraints")) return "a number or string in it is longer than allowed (numbers 1,000 digits, strings 20,000,000 characters)";
        return m;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    public static ObjectNode object(JsonNode node, String what) {
        if (node == null || !node.isObject()) throw Failure.invalid(what, what + " must be a JSON object");
        return (ObjectNode) node;
    }

    /** Rejects fields not in {@code allowed}: a typo must not be silently ignored. */
    public static void onlyFields(JsonNode node, String where, Set<String> allowed) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new Failure(Failure.Kind.INVALID, "UNKNOWN_FIELD", "unknown field '" + f + "'" + (where.isEmpty() ? "" : " in " + where)
                        + "; allowed: " + String.join(", ", allowed.stream().sorted().toList()), Map.of("field", prefix(where) + f));
            }
        }
    }

    private static String prefix(String where) {
        return where.isEmpty() ? "" : where + ".";
    }

    private static JsonNode present(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public static String requiredString(JsonNode node, String field) {
        String s = optionalString(node, field);
        if (s == null || s.isEmpty()) throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", field + " is required", Map.of("field", field));
        return s;
    }

    public static String optionalString(JsonNode node, String field) {
        JsonNode v = present(node, field);
        if (v == null) return null;
        if (!v.isTextual()) throw Failure.invalid(field, field + " must be a string");
        return storable(field, v.textValue());
    }

    /**
     * {@code s}, when both databases can keep it as it is: PostgreSQL refuses a NUL in text, and
     * a UTF-16 surrogate without its pair has no UTF-8 form (the drivers would store '?', so two
     * different ids would become one).
     */
    static String storable(String field, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) throw Failure.invalid(field, field + " must not contain a NUL character");
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw Failure.invalid(field, field + " must not contain an unpaired UTF-16 surrogate (\\u"
                            + Integer.toHexString(c) + ")");
                }
            }
        }
        return s;
    }

    public static boolean optionalBoolean(JsonNode node, String field, boolean otherwise) {
        JsonNode v = present(node, field);
        if (v == null) return otherwise;
        if (!v.isBoolean()) throw Failure.invalid(field, field + " must be true or false");
        return v.booleanValue();
    }

    /** The largest count accepted (tokens, tool calls, latencies...): far beyond any real request, far from overflow. */
    public static final long COUNT_MAX = 1_000_000_000_000L;

    /**
     * A JSON number that is a whole number however written ({@code 1000}, {@code 1e3}, {@code 1000.0});
     * one beyond 64 bits comes back as 2^64 with its sign, not written out.
     */
    private static java.math.BigInteger wholeNumber(JsonNode v, String name) {
        if (v.isIntegralNumber()) return v.bigIntegerValue();
        if (!v.isNumber()) throw Failure.invalid(name, name + " must be a whole number, got " + v);
        BigDecimal d = v.decimalValue().stripTrailingZeros();
        if (d.scale() > 0) throw Failure.invalid(name, name + " must be a whole number, got " + v);
        if (d.precision() - d.scale() > 20) return java.math.BigInteger.TWO.pow(64).multiply(java.math.BigInteger.valueOf(d.signum()));
        return d.toBigIntegerExact();
    }

    /** A non-negative integer up to {@link #COUNT_MAX}, or null when absent. */
    public static Long optionalCount(JsonNode node, String field) {
        return optionalCount(node, "", field);
    }

    /** A non-negative integer of the object at {@code where} (errors name {@code where.field}), or null when absent. */
    public static Long optionalCount(JsonNode node, String where, String field) {
        JsonNode v = present(node, field);
        if (v == null) return null;
        String name = prefix(where) + field;
        java.math.BigInteger whole = wholeNumber(v, name);
        if (whole.bitLength() > 63) {
            throw new Failure(Failure.Kind.INVALID, whole.signum() < 0 ? "NEGATIVE_COUNT" : "VALUE_TOO_LARGE",
                    name + " is out of range: " + v, Map.of("field", name));
        }
        long n = whole.longValue();
        if (n < 0) throw new Failure(Failure.Kind.INVALID, "NEGATIVE_COUNT", name + " must not be negative, got " + n, Map.of("field", name));
        if (n > COUNT_MAX) {
            throw new Failure(Failure.Kind.INVALID, "VALUE_TOO_LARGE", name + " must be at most " + COUNT_MAX + ", got " + n, Map.of("field", name));
        }
        return n;
    }

    /** A whole number of either sign (a percent, say: its range is the caller's to check), or null when absent. */
    public static Long optionalWhole(JsonNode node, String field) {
        JsonNode v = present(node, field);
        if (v == null) return null;
        java.math.BigInteger whole = wholeNumber(v, field);
        if (whole.abs().compareTo(java.math.BigInteger.valueOf(COUNT_MAX)) > 0) {
            throw new Failure(Failure.Kind.INVALID, "VALUE_TOO_LARGE", field + " is out of range: " + v, Map.of("field", field));
        }
        return whole.longValue();
    }

    public static long count(JsonNode node, String field) {
        Long v = optionalCount(node, field);
        return v == null ? 0 : v;
    }

    /** A decimal amount given as a number or a string, or null when absent. */
    public static BigDecimal optionalDecimal(JsonNode node, String field) {
        JsonNode v = present(node, field);
        if (v == null) return null;
        BigDecimal d = v.isNumber() ? v.decimalValue() : v.isTextual() ? decimal(v.textValue()) : null;
        if (d == null) throw Failure.invalid(field, field + " must be a decimal number such as \"12.35\", got " + v);
        if (tooManyDigits(d)) {
            throw Failure.invalid(field, field + " must have at most " + DECIMAL_DIGITS_MAX + " digits before and after the point, got " + v);
        }
        return d;
    }

    /**
     * The decimal {@code text} writes, or null when it writes none. BigDecimal reads any script's
     * digits ("١٢" is 12): a decimal here is written in ASCII; spaces around it are dropped, other
     * characters (a NUL, say) are not. REST's and GraphQL's decimals are both read here.
     */
    public static BigDecimal decimal(String text) {
        String s = text.strip();
        if (!s.chars().allMatch(c -> c < 128)) return null;
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Digits a decimal may have on either side of its point. */
    public static final int DECIMAL_DIGITS_MAX = 40;

    /**
     * Whether the decimal has more than {@link #DECIMAL_DIGITS_MAX} digits before or after its
     * point: 1E400000000 is one digit as parsed, but written out (a message, a comparison at a
     * scale) it is 400 MB. REST and GraphQL refuse such a value before anything writes it out.
     */
    public static boolean tooManyDigits(BigDecimal d) {
        return d.precision() - d.scale() > DECIMAL_DIGITS_MAX || d.scale() > DECIMAL_DIGITS_MAX;
    }

    /** Credits as micro-credits (at most 6 fractional digits, 0 to {@link Credits#CREDITS_MAX}), or null when absent. */
    public static Long optionalCredits(JsonNode node, String field) {
        return optionalCredits(node, field, Credits.CREDITS_MAX);
    }

    public static Long optionalCredits(JsonNode node, String field, BigDecimal max) {
        BigDecimal d = optionalDecimal(node, field);
        if (d == null) return null;
        if (d.signum() < 0) throw Failure.invalid(field, field + " must not be negative");
        if (d.compareTo(max) > 0) {
            throw new Failure(Failure.Kind.INVALID, "VALUE_TOO_LARGE", field + " must be at most " + max.toPlainString() + " credits, got "
                    + d.toPlainString(), Map.of("field", field));
        }
        try {
            return Credits.parseMicros(d);
        } catch (IllegalArgumentException e) {
            throw Failure.invalid(field, field + ": " + e.getMessage());
        }
    }

    public static Instant optionalInstant(JsonNode node, String field) {
        String s = optionalString(node, field);
        if (s == null) return null;
        return instant(s, field);
    }

    /** An ISO-8601 time within the range the API takes (1970 to 9999), else a 400 naming the field. */
    public static Instant instant(String s, String field) {
        try {
            return creditline.common.IsoInstant.parseWithinRange(s, field);
        } catch (IllegalArgumentException e) {
            throw Failure.invalid(field, e.getMessage());
        }
    }

    public static List<String> optionalStrings(JsonNode node, String field) {
        JsonNode v = present(node, field);
        if (v == null) return null;
        if (!v.isArray()) throw Failure.invalid(field, field + " must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) throw Failure.invalid(field, field + " must be an array of strings");
            out.add(storable(field, item.textValue()));
        }
        return out;
    }
}
