package creditline.pricing;

import static org.assertj.core.api.Assertions.assertThat;

import creditline.testing.Seeds;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Credits#format}: a table of edges, and a seeded comparison with the BigDecimal rendering. */
class CreditsFormatTest {
    @Test
    void edges() {
        long[] micros = {0, 1, 10, 100_000, 1_000_000, 1_230_000, 1_234_567, 12_345_678_901L, -1, -1_500_000, -12_340_000,
                Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MIN_VALUE};
        String[] expected = {"0.00", "0.000001", "0.00001", "0.10", "1.00", "1.23", "1.234567", "12345.678901", "-0.000001", "-1.50",
                "-12.34", "9223372036854.775807", "-9223372036854.775807", "-9223372036854.775808"};
        for (int i = 0; i < micros.length; i++) assertThat(Credits.format(micros[i])).as("%d", micros[i]).isEqualTo(expected[i]);
    }

    @Test
    void equalsTheBigDecimalRendering() {
        long seed = Seeds.seed("CreditsFormatTest");
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            long micros = switch (r.nextInt(4)) {
                case 0 -> r.nextLong();
                case 1 -> r.nextLong(-10_000_000, 10_000_000);
                case 2 -> r.nextLong(1_000_000) * 10_000 * (r.nextBoolean() ? 1 : -1);
                default -> r.nextLong(100) * 1_000_000;
            };
            BigDecimal v = BigDecimal.valueOf(micros, 6).stripTrailingZeros();
            if (v.scale() < 2) v = v.setScale(2, RoundingMode.UNNECESSARY);
            assertThat(Credits.format(micros)).as("%d, %s", micros, Seeds.replay(seed)).isEqualTo(v.toPlainString());
        }
    }
}
