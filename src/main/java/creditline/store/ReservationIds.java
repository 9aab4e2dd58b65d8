package creditline.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Reservation ids carry their org ({@code rsv.<base64url(orgId)>.<time><random>}), so
 * {@code POST /v1/reservations/{id}/release} finds the row by its org-first key.
 *
 * <p>The last part starts with the creation time (milliseconds, 12 hex digits), then 80 random
 * bits: an org's new holds sort after its older ones, so their key's index grows at its end and
 * the holds of one write batch share its last page, instead of each dirtying a page of its own
 * at a random place (BENCHMARKS.md, Enforcement).
 */
final class ReservationIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ReservationIds() {}

    /** A new id for a hold of the org made at {@code epochMillis} (0 to 2^48 - 1: until the year 10889). */
    static String next(String orgId, long epochMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return "rsv." + Base64.getUrlEncoder().withoutPadding().encodeToString(orgId.getBytes(StandardCharsets.UTF_8))
                + "." + HexFormat.of().toHexDigits(epochMillis).substring(4) + HexFormat.of().formatHex(random);
    }

    /** The org of a well-formed id, else null. */
    static String orgOf(String reservationId) {
        if (reservationId == null) return null;
        String[] parts = reservationId.split("\\.");
        if (parts.length != 3 || !parts[0].equals("rsv")) return null;
        try {
            return new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
