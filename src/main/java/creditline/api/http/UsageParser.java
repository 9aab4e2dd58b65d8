package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.common.Failure;
import creditline.pricing.TokenCounts;
import creditline.usage.ProviderUsage;
import creditline.usage.UsageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
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
    /** The longest reservation id: {@code rsv.}, the base64url of a 128-character org id, {@code .}, 32 hex digits. */
    static final int RESERVATION_ID_LENGTH_MAX = "rsv.".length() + (128 * 4 + 2) / 3 + 1 + 32;
    static final int TEXT_LENGTH_MAX = 500;
    static final int METADATA_BYTES_MAX = 16_384;
    private static final Pattern ACTIVITY = Pattern.compile("[a-z0-9][a-z0-9_.:-]{0,63}");

    private static final Set<String> EVENT_FIELDS = Set.of("id", "orgId", "memberId", "model", "activity", "occurredAt",
            "tokens", "openaiUsage", "anthropicUsage", "geminiUsage", "toolCalls", "reservationId", "byoKey", "agent", "conversation",
            "task", "session", "latencyMs", "status", "region", "retries", "iterations", "externalCalls", "contextBytes", "metadata");
    private static final Set<String> TOKEN_FIELDS = Set.of("input", "output", "cacheWrite", "cacheRead", "cacheWrite1h",
            "audioInput", "audioOutput", "imageInput", "imageOutput");
    /** Where an event's usage may come from; at most one of them. */
    static final List<String> USAGE_FIELDS = List.of("tokens", "openaiUsage", "anthropicUsage", "geminiUsage");

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
        if (id.isBlank() || id.chars().anyMatch(Character::isISOControl)) {
            throw Failure.invalid("id", "id must not be blank or contain control characters (tab, newline, NUL, …)");
        }
        String orgId = text(node, "orgId", true, ID_LENGTH_MAX);
        String memberId = text(node, "memberId", true, 320);
        String model = text(node, "model", true, ID_LENGTH_MAX);
        String activity = activity(text(node, "activity", true, 64), "activity");
        Instant occurredAt = Json.optionalInstant(node, "occurredAt");
        if (occurredAt == null) {
            occurredAt = now;
        } else if (occurredAt.isBefore(now.minus(PAST_MAX)) || occurredAt.isAfter(now.plus(FUTURE_MAX))) {
            throw new Failure(Failure.Kind.INVALID, "OCCURRED_AT_OUT_OF_RANGE", "occurredAt " + occurredAt
                    + " is outside the accepted window [now - 35 days, now + 5 minutes] = [" + now.minus(PAST_MAX) + ", " + now.plus(FUTURE_MAX) + "]",
                    Map.of("field", "occurredAt"));
        }
        ProviderUsage.Mapped usage = usage(node);
        String metadata = null;
        JsonNode meta = node.get("metadata");
        if (meta != null && !meta.isNull()) {
            if (!meta.isObject()) throw Failure.invalid("metadata", "metadata must be a JSON object");
            metadata = Json.storable("metadata", meta.toString());
            int bytes = metadata.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (bytes > METADATA_BYTES_MAX) throw Failure.invalid("metadata", "metadata is larger than " + METADATA_BYTES_MAX + " bytes (UTF-8), got " + bytes);
        }
        String status = text(node, "status", false, 32);
        if (status != null && !status.equals("success") && !status.equals("error")) {
            throw Failure.invalid("status", "status must be success or error, got '" + status + "'");
        }
        UsageEvent.Details details = new UsageEvent.Details(
                label(node, "agent", TEXT_LENGTH_MAX), label(node, "conversation", TEXT_LENGTH_MAX),
                label(node, "task", TEXT_LENGTH_MAX), label(node, "session", TEXT_LENGTH_MAX),
                Json.optionalCount(node, "latencyMs"), status, label(node, "region", 64),
                Json.optionalCount(node, "retries"), Json.optionalCount(node, "iterations"),
                Json.optionalCount(node, "externalCalls"), Json.optionalCount(node, "contextBytes"), metadata);
        return new UsageEvent(id, orgId, memberId, model, activity, occurredAt, usage.tokens(), toolCalls(node, usage),
                text(node, "reservationId", false, RESERVATION_ID_LENGTH_MAX), Json.optionalBoolean(node, "byoKey", false), details);
    }

    /** An activity as events, authorize and allow-lists take it: 1-64 lower-case letters, digits and {@code _.:-}. */
    static String activity(String activity, String field) {
        if (!ACTIVITY.matcher(activity).matches()) {
            throw Failure.invalid(field, field + " must be lower-case letters, digits and _.:- (e.g. chat, agent, code_review), got '" + activity + "'");
        }
        return activity;
    }

    /**
     * An optional grouping label of the event (agent, conversation, task, session, region); empty
     * is the same as absent, as every view groups it ("no agent"), so the export says so too.
     */
    private static String label(JsonNode node, String field, int lengthMax) {
        String s = text(node, field, false, lengthMax);
        return s == null || s.isEmpty() ? null : s;
    }

    private static String text(JsonNode node, String field, boolean required, int lengthMax) {
        String s = required ? Json.requiredString(node, field) : Json.optionalString(node, field);
        if (s != null && s.length() > lengthMax) throw Failure.invalid(field, field + " is longer than " + lengthMax + " characters");
        return s;
    }

    /** The event's (or a price request's) usage: explicit {@code tokens} or one native usage object; none = no tokens. */
    static ProviderUsage.Mapped usage(JsonNode node) {
        String given = null;
        for (String field : USAGE_FIELDS) {
            if (!node.has(field)) continue;
            if (given != null) throw Failure.invalid(field, "give only one of tokens, openaiUsage, anthropicUsage and geminiUsage, got " + given + " and " + field);
            given = field;
        }
        if (given == null) return new ProviderUsage.Mapped(TokenCounts.ZERO, 0);
        JsonNode u = Json.object(node.get(given), given);
        try {
            return switch (given) {
                case "tokens" -> new ProviderUsage.Mapped(explicitTokens(u), 0);
                case "openaiUsage" -> ProviderUsage.fromOpenAi(openAi(u));
                case "anthropicUsage" -> ProviderUsage.fromAnthropic(anthropic(u));
                default -> ProviderUsage.fromGemini(gemini(u));
            };
        } catch (ProviderUsage.InconsistentUsage e) {
            throw new Failure(Failure.Kind.INVALID, "INCONSISTENT_USAGE", e.getMessage(), Map.of("field", given));
        } catch (ArithmeticException e) {
            throw Failure.invalid(given, given + " has token counts too large to add up");
        }
    }

    /** The request's {@code toolCalls} plus the tool requests its provider usage object reports. */
    static long toolCalls(JsonNode node, ProviderUsage.Mapped usage) {
        try {
            return Math.addExact(Json.count(node, "toolCalls"), usage.toolCalls());
        } catch (ArithmeticException e) {
            throw Failure.invalid("toolCalls", "toolCalls plus the provider's tool requests is too large");
        }
    }

    private static TokenCounts explicitTokens(JsonNode t) {
        Json.onlyFields(t, "tokens", TOKEN_FIELDS);
        return new TokenCounts(count(t, "tokens", "input"), count(t, "tokens", "output"), count(t, "tokens", "cacheWrite"),
                count(t, "tokens", "cacheRead"), count(t, "tokens", "cacheWrite1h"), count(t, "tokens", "audioInput"),
                count(t, "tokens", "audioOutput"), count(t, "tokens", "imageInput"), count(t, "tokens", "imageOutput"));
    }

    /**
     * Chat Completions ({@code prompt_tokens}, {@code prompt_tokens_details}, ...) or Responses
     * ({@code input_tokens}, {@code input_tokens_details}, ...) usage, with the gateway
     * cache-write extensions.
     */
    private static ProviderUsage.OpenAi openAi(JsonNode u) {
        boolean chat = u.has("prompt_tokens") || u.has("completion_tokens");
        String in = chat ? "prompt_tokens" : "input_tokens";
        String out = chat ? "completion_tokens" : "output_tokens";
        if (chat) {
            agree(u, "prompt_tokens", "input_tokens");
            agree(u, "completion_tokens", "output_tokens");
        }
        String inDetailsName = "openaiUsage." + (chat ? "prompt_tokens_details" : "input_tokens_details");
        String outDetailsName = "openaiUsage." + (chat ? "completion_tokens_details" : "output_tokens_details");
        JsonNode inDetails = optionalObject(u, inDetailsName);
        JsonNode outDetails = optionalObject(u, outDetailsName);
        return new ProviderUsage.OpenAi(count(u, "openaiUsage", in), count(u, "openaiUsage", out),
                count(inDetails, inDetailsName, "cached_tokens"), openAiCacheWrites(u, inDetails, inDetailsName),
                count(inDetails, inDetailsName, "audio_tokens"), count(inDetails, inDetailsName, "image_tokens"),
                count(outDetails, outDetailsName, "reasoning_tokens"), count(outDetails, outDetailsName, "audio_tokens"),
                count(outDetails, outDetailsName, "image_tokens"));
    }

    /** Gateways report cache writes in one of three places; where several are given they must agree. */
    private static long openAiCacheWrites(JsonNode u, JsonNode details, String detailsName) {
        Map<String, Long> reported = new LinkedHashMap<>();
        putIfPresent(reported, "openaiUsage.cache_write_tokens", Json.optionalCount(u, "openaiUsage", "cache_write_tokens"));
        putIfPresent(reported, detailsName + ".cache_write_tokens", Json.optionalCount(details, detailsName, "cache_write_tokens"));
        putIfPresent(reported, detailsName + ".cached_write_tokens", Json.optionalCount(details, detailsName, "cached_write_tokens"));
        if (new HashSet<>(reported.values()).size() > 1) {
            throw new ProviderUsage.InconsistentUsage("openaiUsage is inconsistent: the cache write counts differ: " + reported);
        }
        return reported.isEmpty() ? 0 : reported.values().iterator().next();
    }

    private static void agree(JsonNode u, String field, String alias) {
        Long a = Json.optionalCount(u, "openaiUsage", field);
        Long b = Json.optionalCount(u, "openaiUsage", alias);
        if (a != null && b != null && !a.equals(b)) {
            throw new ProviderUsage.InconsistentUsage("openaiUsage is inconsistent: " + field + " (" + a + ") and " + alias + " (" + b + ") differ");
        }
    }

    private static ProviderUsage.Anthropic anthropic(JsonNode u) {
        String creationName = "anthropicUsage.cache_creation";
        JsonNode creation = optionalObject(u, creationName);
        JsonNode serverTools = optionalObject(u, "anthropicUsage.server_tool_use");
        long serverToolRequests = 0;
        for (Iterator<String> it = serverTools.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.endsWith("_requests")) {
                serverToolRequests = Math.addExact(serverToolRequests, count(serverTools, "anthropicUsage.server_tool_use", f));
            }
        }
        return new ProviderUsage.Anthropic(count(u, "anthropicUsage", "input_tokens"), count(u, "anthropicUsage", "output_tokens"),
                Json.optionalCount(u, "anthropicUsage", "cache_creation_input_tokens"),
                count(u, "anthropicUsage", "cache_read_input_tokens"),
                Json.optionalCount(creation, creationName, "ephemeral_5m_input_tokens"),
                Json.optionalCount(creation, creationName, "ephemeral_1h_input_tokens"), serverToolRequests);
    }

    private static ProviderUsage.Gemini gemini(JsonNode u) {
        long[] prompt = modalities(u, "promptTokensDetails");
        long[] cache = modalities(u, "cacheTokensDetails");
        long[] candidates = modalities(u, "candidatesTokensDetails");
        return new ProviderUsage.Gemini(count(u, "geminiUsage", "promptTokenCount"), count(u, "geminiUsage", "candidatesTokenCount"),
                count(u, "geminiUsage", "cachedContentTokenCount"), count(u, "geminiUsage", "thoughtsTokenCount"),
                count(u, "geminiUsage", "toolUsePromptTokenCount"),
                prompt[0], prompt[1], prompt[2], cache[0], cache[1], cache[2], candidates[0], candidates[1], candidates[2]);
    }

    /** A Gemini {@code [{modality, tokenCount}]} list as {all, AUDIO, IMAGE} token sums (zeros when absent). */
    private static long[] modalities(JsonNode u, String field) {
        long[] sums = new long[3];
        JsonNode list = u.get(field);
        if (list == null || list.isNull()) return sums;
        String where = "geminiUsage." + field;
        if (!list.isArray()) throw Failure.invalid(where, where + " must be an array of {modality, tokenCount}");
        for (int i = 0; i < list.size(); i++) {
            String item = where + "[" + i + "]";
            JsonNode entry = Json.object(list.get(i), item);
            long tokens = count(entry, item, "tokenCount");
            JsonNode modality = entry.get("modality");
            if (modality != null && !modality.isNull() && !modality.isTextual()) throw Failure.invalid(item + ".modality", item + ".modality must be a string");
            String m = modality == null || modality.isNull() ? "" : modality.textValue();
            sums[0] = Math.addExact(sums[0], tokens);
            if (m.equals("AUDIO")) sums[1] = Math.addExact(sums[1], tokens);
            if (m.equals("IMAGE")) sums[2] = Math.addExact(sums[2], tokens);
        }
        return sums;
    }

    /** The object {@code path} names inside {@code u} (its last segment), or an empty object when absent or null. */
    private static JsonNode optionalObject(JsonNode u, String path) {
        JsonNode v = u.get(path.substring(path.lastIndexOf('.') + 1));
        if (v == null || v.isNull()) return Json.MAPPER.createObjectNode();
        return Json.object(v, path);
    }

    private static long count(JsonNode node, String where, String field) {
        Long v = Json.optionalCount(node, where, field);
        return v == null ? 0 : v;
    }

    private static void putIfPresent(Map<String, Long> m, String key, Long value) {
        if (value != null) m.put(key, value);
    }
}
