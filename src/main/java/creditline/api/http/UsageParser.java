package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.common.Failure;
import creditline.pricing.TokenCounts;
import creditline.usage.ProviderUsage;
import creditline.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns one JSON usage event into a {@link UsageEvent}, or a {@link Failure} naming the exact
 * field. References (org, member, model) are checked later, in the write transaction.
 */
final class UsageParser {
    static final Duration PAST_MAX = Duration.ofDays(35);
    static final Duration FUTURE_MAX = Duration.ofMinutes(5);
    static final int ID_LENGTH_MAX = 200;
    static final int TEXT_LENGTH_MAX = 500;
    static final int METADATA_BYTES_MAX = 16_384;
    private static final Pattern ACTIVITY = Pattern.compile("[a-z0-9][a-z0-9_.:-]{0,63}");

    private static final Set<String> EVENT_FIELDS = Set.of("id", "orgId", "memberId", "model", "activity", "occurredAt",
            "tokens", "openaiUsage", "anthropicUsage", "toolCalls", "reservationId", "byoKey", "agent", "conversation",
            "task", "session", "latencyMs", "status", "region", "retries", "iterations", "externalCalls", "contextBytes", "metadata");
    private static final Set<String> TOKEN_FIELDS = Set.of("input", "output", "cacheWrite", "cacheRead");

    private UsageParser() {}

    /** The event's id if it has a usable one (for the outcome of a rejected event), else null. */
    static String idOf(JsonNode node) {
        JsonNode id = node == null ? null : node.get("id");
        return id != null && id.isTextual() ? id.textValue() : null;
    }

    static UsageEvent parse(JsonNode node, Instant now) {
        Json.object(node, "event");
        Json.onlyFields(node, "", EVENT_FIELDS);
        String id = text(node, "id", true, ID_LENGTH_MAX);
        String orgId = text(node, "orgId", true, ID_LENGTH_MAX);
        String memberId = text(node, "memberId", true, 320);
        String model = text(node, "model", true, ID_LENGTH_MAX);
        String activity = text(node, "activity", true, 64);
        if (!ACTIVITY.matcher(activity).matches()) {
            throw Failure.invalid("activity", "activity must be lower-case letters, digits and _.:- (e.g. chat, agent, code_review), got '" + activity + "'");
        }
        Instant occurredAt = Json.optionalInstant(node, "occurredAt");
        if (occurredAt == null) {
            occurredAt = now;
        } else if (occurredAt.isBefore(now.minus(PAST_MAX)) || occurredAt.isAfter(now.plus(FUTURE_MAX))) {
            throw new Failure(Failure.Kind.INVALID, "OCCURRED_AT_OUT_OF_RANGE", "occurredAt " + occurredAt
                    + " is outside the accepted window [now - 35 days, now + 5 minutes] = [" + now.minus(PAST_MAX) + ", " + now.plus(FUTURE_MAX) + "]",
                    Map.of("field", "occurredAt"));
        }
        TokenCounts tokens = tokens(node);
        String metadata = null;
        JsonNode meta = node.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) throw Failure.invalid("metadata", "metadata must be a JSON object");
            metadata = meta.toString();
            if (metadata.length() > METADATA_BYTES_MAX) throw Failure.invalid("metadata", "metadata is larger than " + METADATA_BYTES_MAX + " bytes");
        }
        String status = text(node, "status", false, 32);
        if (status != null && !status.equals("success") && !status.equals("error")) {
            throw Failure.invalid("status", "status must be success or error, got '" + status + "'");
        }
        UsageEvent.Details details = new UsageEvent.Details(
                text(node, "agent", false, TEXT_LENGTH_MAX), text(node, "conversation", false, TEXT_LENGTH_MAX),
                text(node, "task", false, TEXT_LENGTH_MAX), text(node, "session", false, TEXT_LENGTH_MAX),
                Json.optionalCount(node, "latencyMs"), status, text(node, "region", false, 64),
                Json.optionalCount(node, "retries"), Json.optionalCount(node, "iterations"),
                Json.optionalCount(node, "externalCalls"), Json.optionalCount(node, "contextBytes"), metadata);
        return new UsageEvent(id, orgId, memberId, model, activity, occurredAt, tokens, Json.count(node, "toolCalls"),
                text(node, "reservationId", false, ID_LENGTH_MAX), Json.optionalBoolean(node, "byoKey", false), details);
    }

    private static String text(JsonNode node, String field, boolean required, int lengthMax) {
        String s = required ? Json.requiredString(node, field) : Json.optionalString(node, field);
        if (s != null && s.length() > lengthMax) throw Failure.invalid(field, field + " is longer than " + lengthMax + " characters");
        return s;
    }

    private static TokenCounts tokens(JsonNode node) {
        JsonNode tokens = node.get("tokens");
        JsonNode openai = node.get("openaiUsage");
        JsonNode anthropic = node.get("anthropicUsage");
        int given = (tokens != null ? 1 : 0) + (openai != null ? 1 : 0) + (anthropic != null ? 1 : 0);
        if (given > 1) throw Failure.invalid("tokens", "give only one of tokens, openaiUsage and anthropicUsage");
        try {
            if (tokens != null) {
                Json.object(tokens, "tokens");
                Json.onlyFields(tokens, "tokens", TOKEN_FIELDS);
                return new TokenCounts(Json.count(tokens, "input"), Json.count(tokens, "output"),
                        Json.count(tokens, "cacheWrite"), Json.count(tokens, "cacheRead"));
            }
            if (openai != null) return openAi(Json.object(openai, "openaiUsage"));
            if (anthropic != null) return anthropic(Json.object(anthropic, "anthropicUsage"));
        } catch (Failure f) {
            throw f;
        } catch (IllegalArgumentException e) {
            throw new Failure(Failure.Kind.INVALID, "INCONSISTENT_USAGE", e.getMessage());
        }
        return TokenCounts.ZERO;
    }

    /** Chat Completions ({@code prompt_tokens}) or Responses ({@code input_tokens}) usage. */
    private static TokenCounts openAi(JsonNode u) {
        boolean responses = u.has("input_tokens") || u.has("output_tokens");
        long prompt = Json.count(u, responses ? "input_tokens" : "prompt_tokens");
        long completion = Json.count(u, responses ? "output_tokens" : "completion_tokens");
        JsonNode details = u.get(responses ? "input_tokens_details" : "prompt_tokens_details");
        long cached = details == null || details.isNull() ? 0 : Json.count(Json.object(details, "prompt_tokens_details"), "cached_tokens");
        return ProviderUsage.fromOpenAi(prompt, completion, cached);
    }

    private static TokenCounts anthropic(JsonNode u) {
        return ProviderUsage.fromAnthropic(Json.count(u, "input_tokens"), Json.count(u, "output_tokens"),
                Json.count(u, "cache_creation_input_tokens"), Json.count(u, "cache_read_input_tokens"));
    }
}
