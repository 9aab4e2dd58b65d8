package creditline.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.testing.Seeds;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PricerTest {
    private static Long c(String credits) {
        return credits == null ? null : Credits.parseMicros(credits);
    }

    private static Rates tokenRates(String in, String out, String cw, String cr) {
        return new Rates(c(in), c(out), c(cw), c(cr), null, null, null);
    }

    static Stream<Arguments> vectors() {
        Rates sonnet = tokenRates("300", "1500", "375", "30");
        Rates noCache = tokenRates("300", "1500", null, null);
        Rates openAiCached = new Rates(c("125"), c("1000"), null, null, c("12.5"), null, null);
        Rates perReply = new Rates(null, null, null, null, null, c("5"), null);
        Rates perReplyAndTools = new Rates(null, null, null, null, null, c("1"), c("0.25"));
        Rates mixed = new Rates(c("3"), c("15"), null, null, null, c("0.5"), c("0.1"));
        Rates onePer1M = tokenRates("1", "1", null, null);
        return Stream.of(
                // name, rates, input, output, cacheWrite, cacheRead, toolCalls, scale, expected credits
                Arguments.of("reference formula, all four buckets", sonnet, 12_345, 678, 1_000, 20_000, 0, 2, "5.70"),
                Arguments.of("input only, exact", sonnet, 1_000_000, 0, 0, 0, 0, 2, "300.00"),
                Arguments.of("output only", sonnet, 0, 2_000, 0, 0, 0, 2, "3.00"),
                Arguments.of("no cache rates: cache tokens at the input rate", noCache, 1_000, 0, 1_000, 1_000, 0, 2, "0.90"),
                Arguments.of("cachedInput rate used for cache reads", openAiCached, 0, 0, 0, 1_000_000, 0, 2, "12.50"),
                Arguments.of("cachedInput rate not used for cache writes", openAiCached, 0, 0, 1_000_000, 0, 0, 2, "125.00"),
                Arguments.of("unpriced model costs nothing", Rates.NONE, 1_000_000, 1_000_000, 5, 5, 3, 2, "0.00"),
                Arguments.of("flat per reply ignores tokens", perReply, 99_999, 99_999, 0, 0, 0, 2, "5.00"),
                Arguments.of("per reply plus tool calls", perReplyAndTools, 0, 0, 0, 0, 3, 2, "1.75"),
                Arguments.of("tokens, per request and tools together", mixed, 1_000_000, 100_000, 0, 0, 2, 2, "5.20"),
                Arguments.of("half-up at exactly half a cent", onePer1M, 5_000, 0, 0, 0, 0, 2, "0.01"),
                Arguments.of("just below half a cent rounds down", onePer1M, 4_999, 0, 0, 0, 0, 2, "0.00"),
                Arguments.of("rounding is done once on the total", onePer1M, 4_000, 1_000, 0, 0, 0, 2, "0.01"),
                Arguments.of("scale 0 rounds half up to whole credits", tokenRates("1", null, null, null), 2_500_000, 0, 0, 0, 0, 0, "3"),
                Arguments.of("scale 6 keeps micro-credits", onePer1M, 1, 0, 0, 0, 0, 6, "0.000001"),
                Arguments.of("scale 6 rounds sub-micro amounts half up", tokenRates("0.5", null, null, null), 1, 0, 0, 0, 0, 6, "0.000001"),
                Arguments.of("zero tokens, token-priced model", sonnet, 0, 0, 0, 0, 0, 2, "0.00"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void vector(String name, Rates rates, long in, long out, long cw, long cr, long tools, int scale, String expected) {
        long micros = new Pricer(scale).priceMicros(rates, new TokenCounts(in, out, cw, cr), tools);
        assertThat(BigDecimal.valueOf(micros, 6)).isEqualByComparingTo(expected);
    }

    @Test
    void overflowOfLongArithmeticIsPricedExactly() {
        Rates huge = tokenRates("1000000", "1000000", null, null);
        long tokens = 5_000_000_000L;
        long micros = new Pricer(2).priceMicros(huge, new TokenCounts(tokens, tokens, 0, 0), 0);
        assertThat(micros).isEqualTo(10_000_000_000L * 1_000_000L);
    }

    @Test
    void refusesImpossibleScalesAndNegatives() {
        assertThatThrownBy(() -> new Pricer(7)).hasMessageContaining("between 0 and 6");
        assertThatThrownBy(() -> new Pricer(-1)).hasMessageContaining("between 0 and 6");
        assertThatThrownBy(() -> new TokenCounts(-1, 0, 0, 0)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Pricer(2).priceMicros(Rates.NONE, TokenCounts.ZERO, -1)).hasMessageContaining("negative");
        assertThatThrownBy(() -> tokenRates("-1", null, null, null)).hasMessageContaining("negative");
    }

    /** The integer pricer agrees with a BigDecimal evaluation of the formula for random inputs. */
    @Test
    void agreesWithDecimalReference() {
        long seed = Seeds.seed("PricerTest.agreesWithDecimalReference");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            Rates rates = new Rates(maybeRate(random), maybeRate(random), maybeRate(random), maybeRate(random), maybeRate(random),
                    maybeRate(random), maybeRate(random));
            TokenCounts t = new TokenCounts(tokens(random), tokens(random), tokens(random), tokens(random));
            long tools = random.nextInt(4) == 0 ? random.nextLong(1_000) : 0;
            int scale = random.nextInt(7);
            long actual = new Pricer(scale).priceMicros(rates, t, tools);
            assertThat(actual).as("case %d, %s", i, Seeds.replay(seed)).isEqualTo(reference(rates, t, tools, scale));
        }
    }

    private static Long maybeRate(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> r.nextLong(1_000_000L);               // < 1 credit, micro precision
            case 2 -> r.nextLong(10_000_000_000L);          // up to 10,000 credits
            default -> r.nextLong(100_000_000_000_000L);    // absurdly high: exercises the wide path
        };
    }

    private static long tokens(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> r.nextLong(100_000);
            default -> r.nextLong(10_000_000_000L);
        };
    }

    /** The formula in BigDecimal, as written in product.md, with the reference fallbacks. */
    static long reference(Rates r, TokenCounts t, long tools, int scale) {
        BigDecimal in = rate(r.inputPer1MMicros());
        BigDecimal cw = r.cacheWritePer1MMicros() != null ? rate(r.cacheWritePer1MMicros()) : in;
        BigDecimal cr = r.cacheReadPer1MMicros() != null ? rate(r.cacheReadPer1MMicros())
                : r.cachedInputPer1MMicros() != null ? rate(r.cachedInputPer1MMicros()) : in;
        BigDecimal million = BigDecimal.valueOf(1_000_000);
        BigDecimal credits = BigDecimal.valueOf(t.input()).divide(million).multiply(in)
                .add(BigDecimal.valueOf(t.output()).divide(million).multiply(rate(r.outputPer1MMicros())))
                .add(BigDecimal.valueOf(t.cacheWrite()).divide(million).multiply(cw))
                .add(BigDecimal.valueOf(t.cacheRead()).divide(million).multiply(cr))
                .add(rate(r.perRequestMicros()))
                .add(BigDecimal.valueOf(tools).multiply(rate(r.perToolCallMicros())));
        return credits.setScale(scale, RoundingMode.HALF_UP).movePointRight(6).longValueExact();
    }

    private static BigDecimal rate(Long micros) {
        return micros == null ? BigDecimal.ZERO : BigDecimal.valueOf(micros, 6);
    }
}
