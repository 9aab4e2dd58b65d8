package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.auth.Principal;
import creditline.common.Failure;
import creditline.pricing.Model;
import creditline.pricing.Pricer;
import creditline.pricing.RateVersion;
import creditline.pricing.TokenCounts;
import creditline.store.Store;
import creditline.store.TaskReprice;
import creditline.usage.PricedEvent;
import creditline.usage.ProviderUsage;
import creditline.usage.UsageEvent;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What-if pricing, recording nothing: {@code POST /v1/price} prices one usage on a list of
 * models; {@code GET /v1/orgs/{orgId}/usage/tasks/{task}/compare} re-prices a recorded task's
 * events on other models, each event with the rates in force at its {@code occurredAt}.
 * Prices are what an event would be charged (0 when unmetered) beside the rate card's nominal cost.
 */
final class PriceRoutes {
    static final int PRICE_MODELS_MAX = 100;
    static final int COMPARE_MODELS_MAX = 20;
    private static final Set<String> PRICE_FIELDS = Set.of("models", "tokens", "openaiUsage", "anthropicUsage", "geminiUsage",
            "toolCalls", "occurredAt");

    private final Store store;
    private final Authenticator auth;
    private final TaskReprice tasks;

    PriceRoutes(Store store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
        this.tasks = new TaskReprice(store.database());
    }

    void register(HttpRouting.Builder r) {
        r.post("/v1/price", this::price)
                .get("/v1/orgs/{orgId}/usage/tasks/{task:.+}/compare", this::compare);
    }

    private void price(ServerRequest req, ServerResponse res) {
        auth.authenticate(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", PRICE_FIELDS);
        List<String> ids = Json.optionalStrings(body, "models");
        if (ids == null) throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "models is required: the model ids to price on", Map.of("field", "models"));
        List<Model> models = requireModels(ids, PRICE_MODELS_MAX, "models");
        ProviderUsage.Mapped usage = UsageParser.usage(body);
        long toolCalls = UsageParser.toolCalls(body, usage);
        Instant occurredAt = Json.optionalInstant(body, "occurredAt");
        if (occurredAt == null) occurredAt = store.clock().instant();
        List<Object> prices = new ArrayList<>();
        for (Model m : models) {
            UsageEvent e = new UsageEvent("price", "", "", m.id(), "chat", occurredAt, usage.tokens(), toolCalls, null, false,
                    UsageEvent.Details.NONE);
            PricedEvent p = store.quote(e, m);
            RateVersion v = m.versionAt(occurredAt);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", m.id());
            row.put("credits", Views.credits(p.chargedMicros()));
            row.put("nominalCredits", Views.credits(p.nominalMicros()));
            row.put("rateVersion", p.rateVersion());
            row.put("priced", v != null && !v.rates().isUnpriced());
            row.put("longContextTier", v != null && Pricer.tierApplied(v.rates(), usage.tokens()));
            row.put("unmeteredReason", p.unmeteredReason());
            prices.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("occurredAt", occurredAt.toString());
        out.put("tokens", tokens(usage.tokens()));
        out.put("toolCalls", toolCalls);
        out.put("models", prices);
        Http.ok(res, out);
    }

    private void compare(ServerRequest req, ServerResponse res) {
        Principal p = auth.authenticate(req);
        String orgId = Http.param(req, "orgId");
        Authenticator.requireAdmin(p, orgId);
        Http.onlyParams(req, Set.of("models"));
        String task = Http.param(req, "task");
        String modelsText = Http.query(req, "models");
        if (modelsText == null || modelsText.isBlank()) {
            throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "models is required: ?models=a,b (the models to compare with)",
                    Map.of("field", "models"));
        }
        List<Model> alternatives = requireModels(List.of(modelsText.split(",", -1)), COMPARE_MODELS_MAX, "models");
        if (store.org(orgId) == null) throw Failure.notFound("ORG_NOT_FOUND", "org '" + orgId + "' does not exist");

        long[] chargedMicros = new long[alternatives.size()];
        long[] nominalMicros = new long[alternatives.size()];
        int[] unpriced = new int[alternatives.size()];
        long[] actual = new long[2];
        Set<String> actualModels = new TreeSet<>();
        int events = tasks.forEachEvent(orgId, task, recorded -> {
            UsageEvent e = recorded.event();
            actual[0] = Math.addExact(actual[0], recorded.chargedMicros());
            actual[1] = Math.addExact(actual[1], recorded.nominalMicros());
            actualModels.add(e.modelId());
            for (int i = 0; i < alternatives.size(); i++) {
                Model m = alternatives.get(i);
                PricedEvent q = store.quote(new UsageEvent(e.id(), e.orgId(), e.memberId(), m.id(), e.activity(), e.occurredAt(),
                        e.tokens(), e.toolCalls(), null, e.byoKey(), UsageEvent.Details.NONE), m);
                chargedMicros[i] = Math.addExact(chargedMicros[i], q.chargedMicros());
                nominalMicros[i] = Math.addExact(nominalMicros[i], q.nominalMicros());
                RateVersion v = m.versionAt(e.occurredAt());
                if (v == null || v.rates().isUnpriced()) unpriced[i]++;
            }
        });
        if (events == 0) throw Failure.notFound("TASK_NOT_FOUND", "org '" + orgId + "' has no usage events with task '" + task + "'");

        Map<String, Object> actualView = new LinkedHashMap<>();
        actualView.put("models", List.copyOf(actualModels));
        actualView.put("credits", Views.credits(actual[0]));
        actualView.put("nominalCredits", Views.credits(actual[1]));
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < alternatives.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", alternatives.get(i).id());
            row.put("credits", Views.credits(chargedMicros[i]));
            row.put("nominalCredits", Views.credits(nominalMicros[i]));
            row.put("savedCredits", Views.credits(Math.subtractExact(actual[0], chargedMicros[i])));
            row.put("unpricedEvents", unpriced[i]);
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("orgId", orgId);
        out.put("task", task);
        out.put("events", events);
        out.put("actual", actualView);
        out.put("alternatives", rows);
        Http.ok(res, out);
    }

    /** The models named, in order, without repeats; every one must exist. */
    private List<Model> requireModels(List<String> ids, int max, String field) {
        Set<String> distinct = new LinkedHashSet<>();
        for (String id : ids) {
            if (id.isBlank()) throw Failure.invalid(field, field + " must not contain an empty model id");
            distinct.add(id.trim());
        }
        if (distinct.isEmpty() || distinct.size() > max) {
            throw Failure.invalid(field, field + " must name 1 to " + max + " models, got " + distinct.size());
        }
        List<Model> out = new ArrayList<>();
        Set<String> missing = new HashSet<>();
        for (String id : distinct) {
            Model m = store.model(id);
            if (m == null) missing.add(id);
            else out.add(m);
        }
        if (!missing.isEmpty()) {
            throw new Failure(Failure.Kind.NOT_FOUND, "MODEL_NOT_FOUND", "no such model: " + String.join(", ", new TreeSet<>(missing)),
                    Map.of("models", List.copyOf(new TreeSet<>(missing))));
        }
        return out;
    }

    static Map<String, Object> tokens(TokenCounts t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", t.input());
        m.put("output", t.output());
        m.put("cacheWrite", t.cacheWrite());
        m.put("cacheWrite1h", t.cacheWrite1h());
        m.put("cacheRead", t.cacheRead());
        m.put("audioInput", t.audioInput());
        m.put("audioOutput", t.audioOutput());
        m.put("imageInput", t.imageInput());
        m.put("imageOutput", t.imageOutput());
        return m;
    }
}
