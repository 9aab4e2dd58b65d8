package creditline.common;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Seeds;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The fast path must agree with Instant.parse on every text: same instant, or both refuse. */
class IsoInstantTest {
    private static final long MIN = Instant.parse("1000-01-01T00:00:00Z").getEpochSecond();
    private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

    @Test
    void agreesWithInstantParseOnRandomInstantsAndMutations() {
        long seed = Seeds.seed("IsoInstantTest");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            Instant at = Instant.ofEpochSecond(random.nextLong(MIN, MAX + 1), random.nextInt(1_000_000_000));
            String text = withFraction(at, random.nextInt(10));
            if (random.nextInt(3) == 0) text = mutate(text, random);
            assertSame(text, seed);
        }
    }

    @Test
    void edgeCases() {
        for (String text : new String[] {"2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "2100-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
                "2026-11-23T18:00:00Z", "2026-11-23T18:00:00.5Z", "2026-11-23T18:00:00.123456789Z", "2026-11-23T18:00:00.1234567890Z",
                "2026-11-23T18:00:00.Z", "2026-11-23T24:00:00Z", "2026-11-23T23:59:60Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
                "2026-11-31T00:00:00Z", "2026-11-23T18:00:00+01:00", "2026-11-23T18:00:00z", "2026-11-23 18:00:00Z", "+2026-11-23T18:00:00Z",
                "0999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-11-23T18:00Z", "2026-11-23T1a:00:00Z", "-026-11-23T18:00:00Z"}) {
            assertSame(text, 0);
        }
    }

    private static void assertSame(String text, long seed) {
        Instant expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeParseException e) {
            expected = null;
        }
        Instant actual;
        try {
            actual = IsoInstant.parse(text);
        } catch (DateTimeParseException e) {
            actual = null;
        }
        assertThat(actual).as("'%s'; %s", text, Seeds.replay(seed)).isEqualTo(expected);
    }

    private static String withFraction(Instant at, int digits) {
        String base = Instant.ofEpochSecond(at.getEpochSecond()).toString(); // yyyy-MM-ddTHH:mm:ssZ
        if (digits == 0) return base;
        String nanos = String.format("%09d", at.getNano()).substring(0, digits);
        return base.substring(0, base.length() - 1) + "." + nanos + "Z";
    }

    private static String mutate(String text, SplittableRandom random) {
        char[] c = text.toCharArray();
        int at = random.nextInt(c.length);
        String alphabet = "0123456789-:TZ.+ xz";
        c[at] = alphabet.charAt(random.nextInt(alphabet.length()));
        return new String(c);
    }
}
