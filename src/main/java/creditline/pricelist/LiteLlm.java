package creditline.pricelist;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.pricing.Credits;
import creditline.pricing.Model;
import creditline.pricing.Rates;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads LiteLLM's price list: one JSON object whose keys are model ids and whose values give
 * costs in USD per token. Read fields:
 *
 * <table>
 *   <caption>LiteLLM field → rate</caption>
 *   <tr><td>{@code input_cost_per_token}</td><td>input</td></tr>
 *   <tr><td>{@code output_cost_per_token}</td><td>output</td></tr>
 *   <tr><td>{@code cache_creation_input_token_cost}</td><td>cache write (5 minutes)</td></tr>
 *   <tr><td>{@code cache_creation_input_token_cost_above_1hr}</td><td>cache write (1 hour)</td></tr>
 *   <tr><td>{@code cache_read_input_token_cost}</td><td>cache read</td></tr>
 *   <tr><td>{@code input_cost_per_audio_token}, {@code output_cost_per_audio_token},
 *       {@code input_cost_per_image_token}, {@code output_cost_per_image_token}</td><td>modality rates</td></tr>
 *   <tr><td>any of the five token fields above + {@code _above_<N>k_tokens}</td><td>the long-context tier,
 *       threshold N × 1,000 tokens, rule whole request</td></tr>
 *   <tr><td>{@code litellm_provider}</td><td>provider of a new model</td></tr>
 *   <tr><td>{@code mode}</td><td>only {@code chat}, {@code completion}, {@code responses}, {@code embedding}
 *       (or no mode) are imported</td></tr>
 * </table>
 *
 * Other non-zero cost fields (per image, per second, per query, service-tier variants such as
 * {@code _priority} or {@code _batches}, ...) have no place on a rate card: they are listed as
 * ignored on the entry. The entry {@code sample_spec} (LiteLLM's field documentation) is skipped.
 */
public final class LiteLlm {
    static final String SAMPLE_SPEC = "sample_spec";
    static final Set<String> SUPPORTED_MODES = Set.of("chat", "completion", "responses", "embedding");
    private static final Pattern ABOVE = Pattern.compile("(input_cost_per_token|output_cost_per_token|cache_creation_input_token_cost"
            + "|cache_creation_input_token_cost_above_1hr|cache_read_input_token_cost)_above_(\\d{1,6})k_tokens");
    private static final List<String> TOKEN_FIELDS = List.of("input_cost_per_token", "output_cost_per_token",
            "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "cache_read_input_token_cost");
    private static final List<String> MODALITY_FIELDS = List.of("input_cost_per_audio_token", "output_cost_per_audio_token",
            "input_cost_per_image_token", "output_cost_per_image_token");

    private LiteLlm() {}

    /** One entry of the list: priced (a rate card to import) or skipped, with the reason. */
    public sealed interface Entry permits Priced, Skipped {
        String modelId();
    }

    /** A model's card; {@code ignoredFields} are its cost fields that a rate card cannot express. */
    public record Priced(String modelId, String provider, Rates rates, List<String> ignoredFields) implements Entry {}

    public record Skipped(String modelId, String reason) implements Entry {}

    /** Called every {@code every} entries and once at the end: entries read so far, of {@code total}. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> {};

        void entries(int done, int total);
    }

    static final int PROGRESS_EVERY = 500;

    /**
     * The entries of {@code priceList} in file order, USD converted at {@code creditsPerUsd}.
     * Numbers must have been read as decimals (never as binary floating point).
     *
     * @throws IllegalArgumentException when {@code priceList} is not a JSON object
     */
    public static List<Entry> read(JsonNode priceList, BigDecimal creditsPerUsd, Progress progress) {
        if (priceList == null || !priceList.isObject()) {
            throw new IllegalArgumentException("a LiteLLM price list is one JSON object mapping model ids to their costs");
        }
        if (creditsPerUsd.signum() <= 0) throw new IllegalArgumentException("creditsPerUsd must be positive, got " + creditsPerUsd.toPlainString());
        int total = priceList.size();
        List<Entry> out = new ArrayList<>(total);
        for (Iterator<Map.Entry<String, JsonNode>> it = priceList.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.add(entry(e.getKey(), e.getValue(), creditsPerUsd));
            if (out.size() % PROGRESS_EVERY == 0) progress.entries(out.size(), total);
        }
        progress.entries(out.size(), total);
        return out;
    }

    static Entry entry(String id, JsonNode spec, BigDecimal creditsPerUsd) {
        if (id.equals(SAMPLE_SPEC)) return new Skipped(id, "LiteLLM's field documentation, not a model");
        if (!Model.ID.matcher(id).matches()) {
            return new Skipped(id, "not a valid model id (" + Model.ID_RULE + ")");
        }
        if (!spec.isObject()) return new Skipped(id, "not a JSON object");
        String mode = text(spec, "mode");
        if (mode != null && !SUPPORTED_MODES.contains(mode)) {
            return new Skipped(id, "unsupported mode '" + mode + "' (only chat, completion, responses and embedding are priced per token)");
        }
        if (absent(spec, "input_cost_per_token") && absent(spec, "output_cost_per_token")) {
            return new Skipped(id, "no token costs (neither input_cost_per_token nor output_cost_per_token)");
        }
        try {
            return priced(id, spec, creditsPerUsd);
        } catch (IllegalArgumentException e) {
            return new Skipped(id, e.getMessage());
        }
    }

    private static Priced priced(String id, JsonNode spec, BigDecimal creditsPerUsd) {
        Map<String, Long> tierRates = new TreeMap<>();
        Long threshold = null;
        List<String> ignored = new ArrayList<>();
        for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            Matcher m = ABOVE.matcher(field);
            if (m.matches()) {
                Long tierRate = rate(spec, field, creditsPerUsd);
                if (tierRate == null) continue;
                long at = Long.parseLong(m.group(2)) * 1_000;
                if (threshold != null && threshold != at) {
                    throw new IllegalArgumentException("several long-context thresholds (" + threshold + " and " + at
                            + " tokens); a rate card has one tier");
                }
                threshold = at;
                tierRates.put(m.group(1), tierRate);
            } else if (!TOKEN_FIELDS.contains(field) && !MODALITY_FIELDS.contains(field) && carriesCost(field, spec.get(field))) {
                ignored.add(field);
            }
        }
        Rates.Tier tier = threshold == null ? null : new Rates.Tier(threshold, Rates.TierRule.WHOLE_REQUEST,
                tierRates.get("input_cost_per_token"), tierRates.get("output_cost_per_token"),
                tierRates.get("cache_creation_input_token_cost"), tierRates.get("cache_creation_input_token_cost_above_1hr"),
                tierRates.get("cache_read_input_token_cost"));
        Rates rates = new Rates(rate(spec, "input_cost_per_token", creditsPerUsd), rate(spec, "output_cost_per_token", creditsPerUsd),
                rate(spec, "cache_creation_input_token_cost", creditsPerUsd), rate(spec, "cache_read_input_token_cost", creditsPerUsd),
                null, null, null, rate(spec, "cache_creation_input_token_cost_above_1hr", creditsPerUsd),
                new Rates.Modality(rate(spec, "input_cost_per_audio_token", creditsPerUsd), rate(spec, "output_cost_per_audio_token", creditsPerUsd),
                        rate(spec, "input_cost_per_image_token", creditsPerUsd), rate(spec, "output_cost_per_image_token", creditsPerUsd)),
                tier);
        String provider = text(spec, "litellm_provider");
        return new Priced(id, provider == null || provider.isBlank() ? "" : provider.strip(), rates, List.copyOf(ignored));
    }

    /**
     * USD per token → micro-credits per 1M tokens: {@code usd × 1,000,000 × creditsPerUsd}, rounded
     * half-up once to 6 decimals of a credit.
     */
    public static long microsPer1M(BigDecimal usdPerToken, BigDecimal creditsPerUsd) {
        return Credits.fromUsd(usdPerToken.movePointRight(6), creditsPerUsd);
    }

    private static Long rate(JsonNode spec, String field, BigDecimal creditsPerUsd) {
        JsonNode v = spec.get(field);
        if (v == null || v.isNull()) return null;
        BigDecimal usd = decimal(v);
        if (usd == null || usd.signum() < 0) throw new IllegalArgumentException(field + " is not a non-negative number: " + v);
        try {
            return microsPer1M(usd, creditsPerUsd);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " is out of range: " + e.getMessage());
        }
    }

    private static BigDecimal decimal(JsonNode v) {
        if (v.isIntegralNumber()) return v.decimalValue();
        if (v.isBigDecimal()) return v.decimalValue();
        if (v.isFloatingPointNumber()) {
            throw new IllegalStateException("the price list was read with binary floating point; read it with BigDecimal for floats");
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.textValue().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A cost-like field with a value that would change a price (not null, not zero, not false). */
    private static boolean carriesCost(String field, JsonNode v) {
        if (!field.contains("cost") && !field.contains("pric")) return false;
        if (v == null || v.isNull() || v.isBoolean()) return false;
        if (v.isNumber()) return v.decimalValue().signum() != 0;
        return !(v.isContainerNode() && v.isEmpty());
    }

    private static boolean absent(JsonNode spec, String field) {
        JsonNode v = spec.get(field);
        return v == null || v.isNull();
    }

    private static String text(JsonNode spec, String field) {
        JsonNode v = spec.get(field);
        return v == null || !v.isTextual() ? null : v.textValue();
    }
}
