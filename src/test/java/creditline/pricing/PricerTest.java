package creditline.pricing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import creditline.testing.RandomRates;
import creditline.testing.Seeds;
import java.math.BigDecimal;
import java.math.BigInteger;
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

    private static Rates card(String in, String out, String cw, String cw1h, String cr, Rates.Modality modality, Rates.Tier tier) {
        return new Rates(c(in), c(out), c(cw), c(cr), null, null, null, c(cw1h), modality, tier);
    }

    private static Rates.Tier tier(long threshold, Rates.TierRule rule, String in, String out, String cw, String cw1h, String cr) {
        return new Rates.Tier(threshold, rule, c(in), c(out), c(cw), c(cw1h), c(cr));
    }

    private static TokenCounts tokens(long in, long out, long cw, long cr, long cw1h, long audioIn, long audioOut, long imageIn, long imageOut) {
        return new TokenCounts(in, out, cw, cr, cw1h, audioIn, audioOut, imageIn, imageOut);
    }

    /** Cache-write lifetimes, modalities and long-context tiers, with every fallback. Scale 6 shows the exact sums. */
    static Stream<Arguments> fidelityVectors() {
        var none = Rates.Modality.NONE;
        var whole = Rates.TierRule.WHOLE_REQUEST;
        var perBucket = Rates.TierRule.PER_BUCKET;
        Rates anthropic = card("3", "15", "3.75", "6", "0.3", none, null);
        Rates no1h = card("3", "15", "3.75", null, "0.3", none, null);
        Rates noCache = card("3", "15", null, null, null, none, null);
        Rates audio = card("2.5", "10", null, null, "1.25", new Rates.Modality(c("40"), c("80"), c("5"), null), null);
        Rates sonnetTiered = card("3", "15", "3.75", "6", "0.3", none, tier(200_000, whole, "6", "22.5", "7.5", "12", "0.6"));
        Rates sonnetPerBucket = card("3", "15", "3.75", "6", "0.3", none, tier(200_000, perBucket, "6", "22.5", "7.5", "12", "0.6"));
        Rates tierInputOnly = card("3", "15", null, null, "0.3", none, tier(200_000, whole, "6", null, null, null, null));
        Rates noCacheTiered = card("3", "15", null, null, null, none, tier(200_000, whole, "6", "22.5", null, null, null));
        Rates tier5mOnly = card("3", "15", "3.75", "6", null, none, tier(10, whole, null, null, "7.5", null, null));
        return Stream.of(
                // name, rates, tokens, toolCalls, expected credits (scale 6)
                Arguments.of("1h cache writes at the 1h rate", anthropic, tokens(0, 0, 0, 0, 1_000_000, 0, 0, 0, 0), "6"),
                Arguments.of("5m and 1h cache writes each at their rate", anthropic, tokens(0, 0, 1_000_000, 0, 1_000_000, 0, 0, 0, 0), "9.75"),
                Arguments.of("no 1h rate: 1h writes at the 5-minute rate", no1h, tokens(0, 0, 0, 0, 1_000_000, 0, 0, 0, 0), "3.75"),
                Arguments.of("no cache rates: 1h writes at the input rate", noCache, tokens(0, 0, 0, 0, 1_000_000, 0, 0, 0, 0), "3"),
                Arguments.of("no cache rates: reads and 5m writes at the input rate", noCache, tokens(0, 0, 1_000_000, 1_000_000, 0, 0, 0, 0, 0), "6"),
                Arguments.of("audio input at its rate", audio, tokens(0, 0, 0, 0, 0, 1_000_000, 0, 0, 0), "40"),
                Arguments.of("audio output at its rate", audio, tokens(0, 0, 0, 0, 0, 0, 1_000_000, 0, 0), "80"),
                Arguments.of("image input at its rate", audio, tokens(0, 0, 0, 0, 0, 0, 0, 1_000_000, 0), "5"),
                Arguments.of("no image output rate: the output rate", audio, tokens(0, 0, 0, 0, 0, 0, 0, 0, 1_000_000), "10"),
                Arguments.of("no modality rates: audio input at the input rate", anthropic, tokens(0, 0, 0, 0, 0, 1_000_000, 0, 0, 0), "3"),
                Arguments.of("no modality rates: audio output at the output rate", anthropic, tokens(0, 0, 0, 0, 0, 0, 1_000_000, 0, 0), "15"),
                Arguments.of("mixed modalities add up", audio, tokens(100_000, 10_000, 0, 200_000, 0, 50_000, 5_000, 20_000, 1_000), "3.11"),
                Arguments.of("no tier: base rates for any prompt", anthropic, tokens(1_000_000, 1_000_000, 0, 0, 0, 0, 0, 0, 0), "18"),
                Arguments.of("prompt exactly at the threshold: base rates", sonnetTiered, tokens(200_000, 1_000, 0, 0, 0, 0, 0, 0, 0), "0.615"),
                Arguments.of("one token above: the whole request at tier rates", sonnetTiered, tokens(200_001, 1_000, 0, 0, 0, 0, 0, 0, 0), "1.222506"),
                Arguments.of("threshold counts cache reads and writes", sonnetTiered, tokens(0, 1_000, 50_000, 150_000, 0, 0, 0, 0, 0),
                        "0.2475"),
                Arguments.of("above it via cache tokens: every bucket at the tier", sonnetTiered, tokens(0, 1_000, 50_000, 150_000, 1, 0, 0, 0, 0),
                        "0.487512"),
                Arguments.of("threshold counts audio and image input", sonnetTiered, tokens(100_000, 0, 0, 0, 0, 60_000, 0, 40_001, 0), "1.200006"),
                Arguments.of("per bucket: only the bucket above the threshold moves", sonnetPerBucket,
                        tokens(250_000, 1_000, 0, 150_000, 0, 0, 0, 0, 0), "1.56"),
                Arguments.of("per bucket: no bucket above, base rates though the prompt is", sonnetPerBucket,
                        tokens(150_000, 1_000, 0, 150_000, 0, 0, 0, 0, 0), "0.51"),
                Arguments.of("tier without a cache-read rate keeps the base cache-read rate", tierInputOnly,
                        tokens(100_000, 1_000, 0, 150_000, 0, 0, 0, 0, 0), "0.66"),
                Arguments.of("tier without an output rate keeps the base output rate", tierInputOnly,
                        tokens(250_000, 1_000_000, 0, 0, 0, 0, 0, 0, 0), "16.5"),
                Arguments.of("no cache rates anywhere: tiered cache reads at the tier's input rate", noCacheTiered,
                        tokens(100_000, 0, 0, 150_000, 0, 0, 0, 0, 0), "1.5"),
                Arguments.of("tier's 5m rate does not replace the base 1h rate", tier5mOnly, tokens(0, 0, 1_000_000, 0, 1_000_000, 0, 0, 0, 0),
                        "13.5"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fidelityVectors")
    void fidelityVector(String name, Rates rates, TokenCounts tokens, String expected) {
        long micros = new Pricer(6).priceMicros(rates, tokens, 0);
        assertThat(BigDecimal.valueOf(micros, 6)).isEqualByComparingTo(expected);
        assertThat(micros).isEqualTo(reference(rates, tokens, 0, 6));
    }

    @Test
    void reportsWhetherTheTierApplied() {
        Rates r = card("3", "15", null, null, null, Rates.Modality.NONE, tier(200_000, Rates.TierRule.WHOLE_REQUEST, "6", null, null, null, null));
        assertThat(Pricer.tierApplied(r, new TokenCounts(200_000, 5, 0, 0))).isFalse();
        assertThat(Pricer.tierApplied(r, new TokenCounts(200_000, 5, 0, 1))).isTrue();
        assertThat(Pricer.tierApplied(card("3", "15", null, null, null, Rates.Modality.NONE, null), new TokenCounts(9_999_999, 0, 0, 0))).isFalse();
    }

    @Test
    void totalCountsEveryBucketOnce() {
        TokenCounts t = tokens(1, 20, 300, 4_000, 50_000, 600_000, 7_000_000, 80_000_000, 900_000_000);
        assertThat(t.total()).isEqualTo(987_654_321L);
        assertThat(t.promptTokens()).isEqualTo(1 + 300 + 4_000 + 50_000 + 600_000 + 80_000_000);
        long sum = 0;
        for (TokenCounts.Bucket b : TokenCounts.Bucket.values()) sum += b.count(t);
        assertThat(sum).isEqualTo(t.total());
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
        assertThatThrownBy(() -> new TokenCounts(0, 0, 0, 0, 0, -1, 0, 0, 0)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Rates.Modality(null, -1L, null, null)).hasMessageContaining("negative");
        assertThatThrownBy(() -> new Rates.Tier(0, Rates.TierRule.WHOLE_REQUEST, 1L, null, null, null, null)).hasMessageContaining("at least 1 token");
        assertThatThrownBy(() -> new Rates.Tier(5, null, 1L, null, null, null, null)).hasMessageContaining("rule");
    }

    /** The integer pricer agrees with a BigDecimal evaluation of the formula for random inputs. */
    @Test
    void agreesWithDecimalReference() {
        long seed = Seeds.seed("PricerTest.agreesWithDecimalReference");
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            Rates rates = RandomRates.card(random);
            long[] b = new long[9];
            for (int k = 0; k < b.length; k++) b[k] = RandomRates.tokens(random);
            TokenCounts t = new TokenCounts(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8]);
            long tools = random.nextInt(4) == 0 ? random.nextLong(1_000) : 0;
            int scale = random.nextInt(7);
            long actual = new Pricer(scale).priceMicros(rates, t, tools);
            assertThat(actual).as("case %d, %s, %s, %s", i, rates, t, Seeds.replay(seed)).isEqualTo(reference(rates, t, tools, scale));
        }
    }

    /**
     * The formula in BigDecimal, written independently of {@link Rates}: the fallbacks as the
     * Rates javadoc states them, the tier card as a field-by-field overlay, the threshold rule.
     */
    static long reference(Rates r, TokenCounts t, long tools, int scale) {
        BigDecimal[] base = resolved(r.inputPer1MMicros(), r.outputPer1MMicros(), r.cacheWritePer1MMicros(), r.cacheWrite1hPer1MMicros(),
                r.cacheReadPer1MMicros(), r.cachedInputPer1MMicros(), r.modality());
        Rates.Tier tier = r.tier();
        BigDecimal[] tiered = tier == null ? base : resolved(or(tier.inputPer1MMicros(), r.inputPer1MMicros()),
                or(tier.outputPer1MMicros(), r.outputPer1MMicros()), or(tier.cacheWritePer1MMicros(), r.cacheWritePer1MMicros()),
                or(tier.cacheWrite1hPer1MMicros(), r.cacheWrite1hPer1MMicros()), or(tier.cacheReadPer1MMicros(), r.cacheReadPer1MMicros()),
                r.cachedInputPer1MMicros(), r.modality());
        long[] counts = {t.input(), t.output(), t.cacheWrite(), t.cacheWrite1h(), t.cacheRead(), t.audioInput(), t.audioOutput(),
                t.imageInput(), t.imageOutput()};
        BigInteger prompt = BigInteger.ZERO;
        for (long n : new long[] {t.input(), t.cacheWrite(), t.cacheWrite1h(), t.cacheRead(), t.audioInput(), t.imageInput()}) {
            prompt = prompt.add(BigInteger.valueOf(n));
        }
        BigDecimal million = BigDecimal.valueOf(1_000_000);
        BigDecimal credits = rate(r.perRequestMicros()).add(BigDecimal.valueOf(tools).multiply(rate(r.perToolCallMicros())));
        for (int b = 0; b < counts.length; b++) {
            boolean atTier = tier != null && (tier.rule() == Rates.TierRule.WHOLE_REQUEST
                    ? prompt.compareTo(BigInteger.valueOf(tier.thresholdTokens())) > 0
                    : counts[b] > tier.thresholdTokens());
            credits = credits.add(BigDecimal.valueOf(counts[b]).divide(million).multiply(atTier ? tiered[b] : base[b]));
        }
        return credits.setScale(scale, RoundingMode.HALF_UP).movePointRight(6).longValueExact();
    }

    /** Rates per bucket {input, output, cw5m, cw1h, cacheRead, audioIn, audioOut, imageIn, imageOut} after the fallbacks. */
    private static BigDecimal[] resolved(Long in, Long out, Long cw, Long cw1h, Long cr, Long cachedInput, Rates.Modality m) {
        BigDecimal input = rate(in);
        BigDecimal output = rate(out);
        BigDecimal write5m = cw != null ? rate(cw) : input;
        BigDecimal write1h = cw1h != null ? rate(cw1h) : write5m;
        BigDecimal read = cr != null ? rate(cr) : cachedInput != null ? rate(cachedInput) : input;
        return new BigDecimal[] {input, output, write5m, write1h, read,
                m.audioInputPer1MMicros() != null ? rate(m.audioInputPer1MMicros()) : input,
                m.audioOutputPer1MMicros() != null ? rate(m.audioOutputPer1MMicros()) : output,
                m.imageInputPer1MMicros() != null ? rate(m.imageInputPer1MMicros()) : input,
                m.imageOutputPer1MMicros() != null ? rate(m.imageOutputPer1MMicros()) : output};
    }

    private static Long or(Long preferred, Long otherwise) {
        return preferred != null ? preferred : otherwise;
    }

    private static BigDecimal rate(Long micros) {
        return micros == null ? BigDecimal.ZERO : BigDecimal.valueOf(micros, 6);
    }
}
