package creditline.api.http;

import creditline.alert.WebhookTargets;
import com.fasterxml.jackson.databind.JsonNode;
import creditline.auth.Principal;
import creditline.auth.Role;
import creditline.budget.BudgetSettings;
import creditline.budget.Decision;
import creditline.budget.Restrictions;
import creditline.common.Failure;
import creditline.store.Alerts;
import creditline.store.Reservations;
import creditline.store.Store;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Budgets, restrictions, authorize and reservations, notifications and webhooks. */
final class EnforcementRoutes {
    static final long RESERVATION_TTL_SECONDS_MAX = 86_400;
    /** One call's estimate: a million credits, far above any real call; with the per-org hold limit, sums cannot overflow. */
    static final java.math.BigDecimal ESTIMATE_CREDITS_MAX = new java.math.BigDecimal("1000000");
    static final int NOTIFICATIONS_MAX = 500;
    private static final Set<String> ALERT_KINDS = Set.of("BUDGET_THRESHOLD", "BUDGET_EXHAUSTED", "PLAN_CREDITS_LOW", "PLAN_CREDITS_EXHAUSTED");

    private final Store store;
    private final Authenticator auth;
    private final long reservationTtlSeconds;
    private final WebhookTargets webhookTargets;

    EnforcementRoutes(Store store, Authenticator auth, long reservationTtlSeconds, WebhookTargets webhookTargets) {
        this.store = store;
        this.auth = auth;
        this.reservationTtlSeconds = reservationTtlSeconds;
        this.webhookTargets = webhookTargets;
    }

    void register(HttpRouting.Builder r) {
        r.get("/v1/orgs/{orgId}/budgets", this::getBudgets)
                .put("/v1/orgs/{orgId}/budgets", this::putBudgets)
                .get("/v1/orgs/{orgId}/budgets/members", this::listOverrides)
                .put("/v1/orgs/{orgId}/budgets/members/{memberId}", this::putOverride)
                .delete("/v1/orgs/{orgId}/budgets/members/{memberId}", this::deleteOverride)
                .get("/v1/orgs/{orgId}/restrictions", (req, res) -> getRestrictions(req, res, false))
                .put("/v1/orgs/{orgId}/restrictions", (req, res) -> putRestrictions(req, res, false))
                .get("/v1/orgs/{orgId}/members/{memberId}/restrictions", (req, res) -> getRestrictions(req, res, true))
                .put("/v1/orgs/{orgId}/members/{memberId}/restrictions", (req, res) -> putRestrictions(req, res, true))
                .post("/v1/authorize", this::authorize)
                .get("/v1/reservations/{id}", this::getReservation)
                .post("/v1/reservations/{id}/release", this::release)
                .get("/v1/orgs/{orgId}/notifications", this::orgNotifications)
                .get("/v1/me/notifications", this::myNotifications)
                .get("/v1/orgs/{orgId}/webhooks", this::listWebhooks)
                .put("/v1/orgs/{orgId}/webhooks/{id}", this::putWebhook)
                .delete("/v1/orgs/{orgId}/webhooks/{id}", this::deleteWebhook);
    }

    // ---- budgets ----

    private void getBudgets(ServerRequest req, ServerResponse res) {
        Http.ok(res, Views.budgets(store.budgets(auth.adminOrg(req))));
    }

    /** Merge semantics: an absent section or field keeps its value; {@code "credits": null} means unlimited. */
    private void putBudgets(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("org", "defaultMember"));
        BudgetSettings current = store.budgets(orgId);
        BudgetSettings.Budget org = budget(body.get("org"), "org", "notifyAdmin", current.org());
        BudgetSettings.Budget member = budget(body.get("defaultMember"), "defaultMember", "notifyUser", current.defaultMember());
        Http.ok(res, Views.budgets(store.putBudgets(orgId, new BudgetSettings(org, member))));
    }

    private static BudgetSettings.Budget budget(JsonNode node, String where, String notifyField, BudgetSettings.Budget current) {
        if (node == null || node.isNull()) return current;
        Json.object(node, where);
        Json.onlyFields(node, where, Set.of("credits", "enforce", notifyField, "alertPercent"));
        Long credits = node.has("credits") ? Json.optionalCredits(node, "credits") : current.creditsMicros();
        Long alert = Json.optionalWhole(node, "alertPercent");
        return new BudgetSettings.Budget(credits, Json.optionalBoolean(node, "enforce", current.enforce()),
                Json.optionalBoolean(node, notifyField, current.notifies()),
                alert == null ? current.alertPercent() : BudgetSettings.alertPercent(alert, where + ".alertPercent"));
    }

    private void listOverrides(ServerRequest req, ServerResponse res) {
        List<Object> rows = new ArrayList<>();
        store.budgetOverrides(auth.adminOrg(req)).forEach((member, credits) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("memberId", member);
            m.put("credits", credits.map(Views::credits).orElse(null));
            rows.add(m);
        });
        Http.ok(res, Map.of("overrides", rows));
    }

    private void putOverride(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        String memberId = Http.param(req, "memberId");
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("credits"));
        if (!body.has("credits")) throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "credits is required (null for unlimited)", Map.of("field", "credits"));
        Long credits = Json.optionalCredits(body, "credits");
        store.putBudgetOverride(orgId, memberId, credits);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memberId", memberId);
        m.put("credits", credits == null ? null : Views.credits(credits));
        Http.ok(res, m);
    }

    private void deleteOverride(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        String memberId = Http.param(req, "memberId");
        store.deleteBudgetOverride(orgId, memberId);
        res.status(Status.NO_CONTENT_204).send();
    }

    // ---- restrictions ----

    private void getRestrictions(ServerRequest req, ServerResponse res, boolean member) {
        String orgId = auth.adminOrg(req);
        Http.ok(res, Views.restrictions(store.restrictions(orgId, member ? Http.param(req, "memberId") : null)));
    }

    private void putRestrictions(ServerRequest req, ServerResponse res, boolean member) {
        String orgId = auth.adminOrg(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("models", "activities"));
        List<String> models = Json.optionalStrings(body, "models");
        List<String> activities = Json.optionalStrings(body, "activities");
        // An entry that could never match would, alone in a list, block everything: refused instead.
        if (models != null) for (String m : models) CatalogRoutes.modelId(m, "models");
        if (activities != null) for (String a : activities) UsageParser.activity(a, "activities");
        Restrictions r = new Restrictions(models == null ? null : new HashSet<>(models), activities == null ? null : new HashSet<>(activities));
        Http.ok(res, Views.restrictions(store.putRestrictions(orgId, member ? Http.param(req, "memberId") : null, r)));
    }

    // ---- authorize and reservations ----

    private void authorize(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("orgId", "memberId", "model", "activity", "estimatedCredits", "reserve", "ttlSeconds"));
        String orgId = Json.requiredString(body, "orgId");
        String memberId = Json.requiredString(body, "memberId");
        String model = Json.requiredString(body, "model");
        String activity = UsageParser.activity(Json.requiredString(body, "activity"), "activity");
        Long estimate = Json.optionalCredits(body, "estimatedCredits", ESTIMATE_CREDITS_MAX);
        boolean reserve = Json.optionalBoolean(body, "reserve", false);
        Long ttl = Json.optionalCount(body, "ttlSeconds");
        if (reserve && (estimate == null || estimate == 0)) {
            throw estimate == null
                    ? new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "a reservation needs a positive estimatedCredits", Map.of("field", "estimatedCredits"))
                    : Failure.invalid("estimatedCredits", "a reservation needs a positive estimatedCredits, got 0");
        }
        if (ttl != null && (ttl < 1 || ttl > RESERVATION_TTL_SECONDS_MAX)) {
            throw Failure.invalid("ttlSeconds", "ttlSeconds must be 1 to " + RESERVATION_TTL_SECONDS_MAX + " seconds, got " + ttl);
        }
        Store.Authorization a = store.authorize(orgId, memberId, model, activity, estimate == null ? 0 : estimate,
                reserve ? (ttl == null ? reservationTtlSeconds : ttl) : null);
        Decision d = a.decision();
        Map<String, Object> remaining = new LinkedHashMap<>();
        remaining.put("orgBudget", d.orgBudgetRemainingMicros() == null ? null : Views.credits(d.orgBudgetRemainingMicros()));
        remaining.put("memberBudget", d.memberBudgetRemainingMicros() == null ? null : Views.credits(d.memberBudgetRemainingMicros()));
        remaining.put("balance", Views.credits(d.balanceRemainingMicros()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allowed", d.allowed());
        m.put("reason", d.reason().name());
        m.put("message", d.message());
        m.put("remaining", remaining);
        if (a.reservation() != null) {
            m.put("reservationId", a.reservation().id());
            m.put("expiresAt", a.reservation().expiresAt().toString());
        }
        Http.ok(res, m);
    }

    private void getReservation(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        Http.ok(res, Views.reservation(store.reservation(Http.param(req, "id"))));
    }

    private void release(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        Reservations.Reservation r = store.release(Http.param(req, "id"));
        Http.ok(res, Views.reservation(r));
    }

    // ---- notifications and webhooks ----

    private static int limit(ServerRequest req) {
        Http.onlyParams(req, Set.of("limit"));
        String v = Http.query(req, "limit");
        if (v == null) return 100;
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= NOTIFICATIONS_MAX) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw Failure.invalid("limit", "limit must be 1 to " + NOTIFICATIONS_MAX + ", got '" + v + "'");
    }

    private void orgNotifications(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Http.ok(res, Map.of("notifications", NotificationJson.of(store.notifications(orgId, null, limit(req)))));
    }

    /** A member key sees the alerts of its own budget. */
    private void myNotifications(ServerRequest req, ServerResponse res) {
        Principal p = auth.authenticate(req);
        if (p.role() != Role.MEMBER) throw Authenticator.forbidden("/v1/me/… needs a member key");
        Http.ok(res, Map.of("notifications", NotificationJson.of(store.notifications(p.orgId(), p.memberId(), limit(req)))));
    }

    private void listWebhooks(ServerRequest req, ServerResponse res) {
        List<Object> out = new ArrayList<>();
        for (Alerts.Webhook w : store.webhooks(auth.adminOrg(req))) out.add(Views.webhook(w));
        Http.ok(res, Map.of("webhooks", out));
    }

    private void putWebhook(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        String id = CatalogRoutes.segmentId(Http.param(req, "id"), "id");
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("url", "secret", "events"));
        URI url = webhookUrl(Json.requiredString(body, "url"));
        String refusal = webhookTargets.refusal(url);
        if (refusal != null) throw Failure.invalid("url", "url is refused: " + refusal);
        String secret = Json.requiredString(body, "secret");
        if (secret.length() < 16) throw Failure.invalid("secret", "secret must be at least 16 characters");
        List<String> events = Optional.ofNullable(Json.optionalStrings(body, "events")).orElse(List.of());
        for (String e : events) {
            if (!ALERT_KINDS.contains(e)) throw Failure.invalid("events", "unknown event '" + e + "'; known: " + String.join(", ", new java.util.TreeSet<>(ALERT_KINDS)));
        }
        Http.ok(res, Views.webhook(store.putWebhook(new Alerts.Webhook(orgId, id, url.toString(), secret, events))));
    }

    static final int WEBHOOK_URL_LENGTH_MAX = 2_048;

    /**
     * An absolute http(s) URL with a host, a valid port if any, and no user info: the URL is shown
     * back to every admin of the org ({@code GET …/webhooks}), so a password in it would be too.
     */
    static URI webhookUrl(String url) {
        if (url.length() > WEBHOOK_URL_LENGTH_MAX) throw Failure.invalid("url", "url must be at most " + WEBHOOK_URL_LENGTH_MAX + " characters");
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw Failure.invalid("url", "url must be an absolute http(s) URL, got '" + url + "': " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw Failure.invalid("url", "url must be an absolute http(s) URL with a host, got '" + url + "'");
        }
        if (uri.getRawUserInfo() != null) {
            throw Failure.invalid("url", "url must not hold a user name or password (it is shown to the org's admins); authenticate with the signature");
        }
        if (uri.getPort() > 65_535) throw Failure.invalid("url", "url's port must be 1 to 65535, got " + uri.getPort());
        return uri;
    }

    private void deleteWebhook(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        if (!store.deleteWebhook(orgId, Http.param(req, "id"))) throw Failure.notFound("WEBHOOK_NOT_FOUND", "webhook '" + Http.param(req, "id") + "' does not exist");
        res.status(Status.NO_CONTENT_204).send();
    }
}
