package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.common.Failure;
import creditline.pricing.Credits;
import creditline.pricing.Rates;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Rate cards in JSON, in credits ({@code rates: {creditInputPer1M, ...}}) or in USD
 * ({@code ratesUsd: {inputPer1M, ...}}, converted at the deployment's credits per USD, half-up
 * to 6 decimals). Both shapes have the same fields; a credit field is {@code credit} + the USD
 * field's name capitalized.
 */
final class RatesJson {
    /** The rate fields of a card, by their USD name (the credit name is derived). */
    private static final List<String> CARD_FIELDS = List.of("inputPer1M", "outputPer1M", "cacheWritePer1M", "cacheWrite1hPer1M",
            "cacheReadPer1M", "cachedInputPer1M", "audioInputPer1M", "audioOutputPer1M", "imageInputPer1M", "imageOutputPer1M",
            "perRequest", "perToolCall");
    private static final List<String> TIER_RATE_FIELDS = List.of("inputPer1M", "outputPer1M", "cacheWritePer1M",
            "cacheWrite1hPer1M", "cacheReadPer1M");
    static final String TIER = "longContextTier";

    private final boolean usd;
    private final BigDecimal creditsPerUsd;
    private final String where;

    private RatesJson(boolean usd, BigDecimal creditsPerUsd, String where) {
        this.usd = usd;
        this.creditsPerUsd = creditsPerUsd;
        this.where = where;
    }

    /** A card in credits (the {@code rates} object). */
    static Rates credits(JsonNode node) {
        return new RatesJson(false, null, "rates").card(node);
    }

    /** A card in USD (the {@code ratesUsd} object), converted at {@code creditsPerUsd}. */
    static Rates usd(JsonNode node, BigDecimal creditsPerUsd) {
        return new RatesJson(true, creditsPerUsd, "ratesUsd").card(node);
    }

    static String creditName(String usdName) {
        return "credit" + Character.toUpperCase(usdName.charAt(0)) + usdName.substring(1);
    }

    private String name(String usdName) {
        return usd ? usdName : creditName(usdName);
    }

    private Set<String> names(List<String> usdNames, String... more) {
        Set<String> out = new java.util.HashSet<>(Set.of(more));
        for (String n : usdNames) out.add(name(n));
        return out;
    }

    private Rates card(JsonNode node) {
        Json.object(node, where);
        Json.onlyFields(node, where, names(CARD_FIELDS, TIER));
        JsonNode tierNode = node.get(TIER);
        Rates.Tier tier = tierNode == null || tierNode.isNull() ? null : tier(Json.object(tierNode, where + "." + TIER));
        return new Rates(rate(node, "inputPer1M"), rate(node, "outputPer1M"), rate(node, "cacheWritePer1M"),
                rate(node, "cacheReadPer1M"), rate(node, "cachedInputPer1M"), rate(node, "perRequest"), rate(node, "perToolCall"),
                rate(node, "cacheWrite1hPer1M"),
                new Rates.Modality(rate(node, "audioInputPer1M"), rate(node, "audioOutputPer1M"), rate(node, "imageInputPer1M"),
                        rate(node, "imageOutputPer1M")),
                tier);
    }

    private Rates.Tier tier(JsonNode node) {
        String at = where + "." + TIER;
        Json.onlyFields(node, at, names(TIER_RATE_FIELDS, "thresholdTokens", "rule"));
        Long threshold = Json.optionalCount(node, at, "thresholdTokens");
        if (threshold == null) {
            throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", at + ".thresholdTokens is required: the prompt size (tokens) above which the tier applies",
                    Map.of("field", at + ".thresholdTokens"));
        }
        if (threshold == 0) throw Failure.invalid(at + ".thresholdTokens", at + ".thresholdTokens must be at least 1 (tokens), got 0");
        String ruleText = Json.optionalString(node, "rule");
        Rates.TierRule rule = switch (ruleText == null ? "whole_request" : ruleText) {
            case "whole_request" -> Rates.TierRule.WHOLE_REQUEST;
            case "per_bucket" -> Rates.TierRule.PER_BUCKET;
            default -> throw Failure.invalid(at + ".rule", at + ".rule must be whole_request or per_bucket, got '" + ruleText + "'");
        };
        Rates.Tier tier = new Rates.Tier(threshold, rule, rate(node, "inputPer1M"), rate(node, "outputPer1M"), rate(node, "cacheWritePer1M"),
                rate(node, "cacheWrite1hPer1M"), rate(node, "cacheReadPer1M"));
        if (tier.inputPer1MMicros() == null && tier.outputPer1MMicros() == null && tier.cacheWritePer1MMicros() == null
                && tier.cacheWrite1hPer1MMicros() == null && tier.cacheReadPer1MMicros() == null) {
            throw Failure.invalid(at, at + " sets no rate; give at least one of "
                    + String.join(", ", TIER_RATE_FIELDS.stream().map(this::name).toList()));
        }
        return tier;
    }

    private Long rate(JsonNode node, String usdName) {
        String field = name(usdName);
        if (!usd) return Json.optionalCredits(node, field);
        BigDecimal d = Json.optionalDecimal(node, field);
        if (d == null) return null;
        if (d.signum() < 0) throw Failure.invalid(where + "." + field, where + "." + field + " must not be negative");
        try {
            return Credits.fromUsd(d, creditsPerUsd);
        } catch (IllegalArgumentException e) {
            throw Failure.invalid(where + "." + field, where + "." + field + ": " + e.getMessage());
        }
    }

    /** The card as the API shows it: every credit field (null = not configured) and the tier (or null). */
    static Map<String, Object> render(Rates r) {
        Map<String, Object> m = new LinkedHashMap<>();
        Rates.Modality md = r.modality();
        Long[] values = {r.inputPer1MMicros(), r.outputPer1MMicros(), r.cacheWritePer1MMicros(), r.cacheWrite1hPer1MMicros(),
                r.cacheReadPer1MMicros(), r.cachedInputPer1MMicros(), md.audioInputPer1MMicros(), md.audioOutputPer1MMicros(),
                md.imageInputPer1MMicros(), md.imageOutputPer1MMicros(), r.perRequestMicros(), r.perToolCallMicros()};
        for (int i = 0; i < values.length; i++) m.put(creditName(CARD_FIELDS.get(i)), credits(values[i]));
        Rates.Tier t = r.tier();
        if (t == null) {
            m.put(TIER, null);
        } else {
            Map<String, Object> tier = new LinkedHashMap<>();
            tier.put("thresholdTokens", t.thresholdTokens());
            tier.put("rule", t.rule().name().toLowerCase(Locale.ROOT));
            Long[] tierValues = {t.inputPer1MMicros(), t.outputPer1MMicros(), t.cacheWritePer1MMicros(), t.cacheWrite1hPer1MMicros(),
                    t.cacheReadPer1MMicros()};
            for (int i = 0; i < tierValues.length; i++) tier.put(creditName(TIER_RATE_FIELDS.get(i)), credits(tierValues[i]));
            m.put(TIER, tier);
        }
        return m;
    }

    private static String credits(Long micros) {
        return micros == null ? null : Credits.format(micros);
    }
}
