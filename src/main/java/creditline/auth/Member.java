package creditline.auth;

import java.time.Instant;

/**
 * A member of an org: a user (an email) or a service account (written {@code SA <name>}).
 */
public record Member(String orgId, String memberId, Role role, Type type, Instant createdAt) {
    public enum Type {
        USER, SERVICE_ACCOUNT;

        public String wire() { return this == USER ? "user" : "service_account"; }

        public static Type parse(String s) {
            return switch (s) {
                case "user" -> USER;
                case "service_account" -> SERVICE_ACCOUNT;
                default -> throw new IllegalArgumentException("type must be user or service_account, got '" + s + "'");
            };
        }
    }

    public static final int ID_LENGTH_MAX = 320;

    /** The type a member id implies: {@code SA <name>} is a service account, anything else a user. */
    public static Type typeOf(String memberId) {
        return memberId.startsWith("SA ") ? Type.SERVICE_ACCOUNT : Type.USER;
    }

    /** Null when valid, else why not. */
    public static String validateId(String memberId) {
        if (memberId == null || memberId.isBlank()) return "memberId must not be empty";
        if (memberId.length() > ID_LENGTH_MAX) return "memberId is longer than " + ID_LENGTH_MAX + " characters";
        if (!memberId.equals(memberId.strip())) return "memberId must not start or end with spaces";
        if (memberId.chars().anyMatch(Character::isISOControl)) return "memberId must not contain control characters (tab, newline, NUL, …)";
        if (memberId.startsWith("SA ")) return memberId.length() > 3 ? null : "a service account needs a name after 'SA '";
        int at = memberId.indexOf('@');
        if (at <= 0 || at == memberId.length() - 1 || memberId.indexOf('@', at + 1) >= 0 || memberId.contains(" ")) {
            return "memberId must be an email address or 'SA <name>' for a service account, got '" + memberId + "'";
        }
        return null;
    }
}
