package creditline.auth;

import java.util.Locale;

public enum Role {
    OPERATOR, ADMIN, MEMBER;

    public String wire() { return name().toLowerCase(Locale.ROOT); }

    public static Role parse(String s) {
        for (Role r : values()) if (r.wire().equals(s)) return r;
        throw new IllegalArgumentException("role must be operator, admin or member, got '" + s + "'");
    }
}
