package creditline.store;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Reservation ids carry their org ({@code rsv.<base64url(orgId)>.<random>}), so
 * {@code POST /v1/reservations/{id}/release} finds the row by its org-first key.
 */
final class ReservationIds {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ReservationIds() {}

    static String next(String orgId) {
        byte[] random = new byte[12];
        RANDOM.nextBytes(random);
        return "rsv." + Base64.getUrlEncoder().withoutPadding().encodeToString(orgId.getBytes(StandardCharsets.UTF_8))
                + "." + HexFormat.of().formatHex(random);
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
