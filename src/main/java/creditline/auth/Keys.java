package creditline.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Generation and hashing of API keys ({@code cl_<keyId>_<secret>}). */
public final class Keys {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {}

    public record NewKey(String keyId, String secret, String hash) {}

    public static NewKey generate() {
        byte[] id = new byte[6];
        byte[] secret = new byte[24];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        String keyId = HexFormat.of().formatHex(id);
        String key = "cl_" + keyId + "_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        return new NewKey(keyId, key, hash(key));
    }

    /** Cloned per call: {@code MessageDigest.getInstance} walks the security providers each time (most of the cost of a hash in a profile). */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is always available", e);
        }
    }

    public static String hash(String key) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("the JDK's SHA-256 can be cloned", e);
        }
        return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** Compares in time independent of where the inputs differ. */
    public static boolean sameHash(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
