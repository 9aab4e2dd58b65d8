package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.common.Failure;
import creditline.ledger.CreditBucket;
import creditline.plan.Org;
import creditline.store.Store;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Orgs, subscriptions, grants, balances, members and keys. */
final class OrgRoutes {
    private final Store store;
    private final Authenticator auth;

    OrgRoutes(Store store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
    }

    void register(HttpRouting.Builder r) {
        r.post("/v1/orgs", this::createOrg)
                .get("/v1/orgs/{orgId}", this::getOrg)
                .put("/v1/orgs/{orgId}/status", this::putStatus)
                .get("/v1/orgs/{orgId}/subscription", this::getSubscription)
                .put("/v1/orgs/{orgId}/subscription", this::putSubscription)
                .get("/v1/orgs/{orgId}/subscription/changes", this::getPlanChanges)
                .post("/v1/orgs/{orgId}/grants", this::postGrant)
                .get("/v1/orgs/{orgId}/balance", this::getBalance)
                .get("/v1/orgs/{orgId}/ledger/reconciliation", this::getReconciliation)
                .get("/v1/orgs/{orgId}/members", this::listMembers)
                .put("/v1/orgs/{orgId}/members/{memberId}", this::putMember)
                .get("/v1/orgs/{orgId}/members/{memberId}", this::getMember)
                .delete("/v1/orgs/{orgId}/members/{memberId}", this::deleteMember)
                .post("/v1/orgs/{orgId}/keys", this::createKey)
                .delete("/v1/orgs/{orgId}/keys/{keyId}", this::deleteKey);
    }

    private String operatorOrg(ServerRequest req) {
        Authenticator.requireOperator(auth.authenticate(req));
        return Http.param(req, "orgId");
    }

    private void createOrg(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("id", "name", "planId"));
        String id = CatalogRoutes.segmentId(Json.requiredString(body, "id"), "id");
        String name = CatalogRoutes.label(Json.optionalString(body, "name"), "name");
        Org org = store.createOrg(id, name == null ? id : name, Json.requiredString(body, "planId"));
        Http.json(res, Status.CREATED_201, Views.org(org));
    }

    private Org requireOrg(String orgId) {
        Org org = store.org(orgId);
        if (org == null) throw Failure.notFound("ORG_NOT_FOUND", "org '" + orgId + "' does not exist");
        return org;
    }

    private void getOrg(ServerRequest req, ServerResponse res) {
        Http.ok(res, Views.org(requireOrg(auth.adminOrg(req))));
    }

    private void putStatus(ServerRequest req, ServerResponse res) {
        String orgId = operatorOrg(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("status"));
        Http.ok(res, Views.org(store.setOrgStatus(orgId, Json.requiredString(body, "status"))));
    }

    private void getSubscription(ServerRequest req, ServerResponse res) {
        Http.ok(res, Views.subscription(store.subscription(auth.adminOrg(req))));
    }

    private void putSubscription(ServerRequest req, ServerResponse res) {
        String orgId = operatorOrg(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("planId"));
        Http.ok(res, Views.subscription(store.changePlan(orgId, Json.requiredString(body, "planId"))));
    }

    private void getPlanChanges(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        requireOrg(orgId);
        List<Object> out = new ArrayList<>();
        for (Store.PlanChange c : store.planChanges(orgId)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("changedAt", c.changedAt().toString());
            m.put("fromPlanId", c.fromPlanId());
            m.put("toPlanId", c.toPlanId());
            out.add(m);
        }
        Http.ok(res, Map.of("changes", out));
    }

    private void postGrant(ServerRequest req, ServerResponse res) {
        String orgId = operatorOrg(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("credits", "expiresAt", "reason"));
        Long credits = Json.optionalCredits(body, "credits");
        if (credits == null || credits == 0) throw Failure.invalid("credits", "credits must be a positive amount");
        String reason = Json.optionalString(body, "reason");
        if (reason != null && reason.length() > 500) throw Failure.invalid("reason", "reason is longer than 500 characters");
        CreditBucket grant = store.grant(orgId, credits, Json.optionalInstant(body, "expiresAt"), reason == null ? "" : reason);
        Http.json(res, Status.CREATED_201, Views.grant(grant));
    }

    private void getBalance(ServerRequest req, ServerResponse res) {
        Http.ok(res, Views.balance(store.balance(auth.adminOrg(req))));
    }

    private void getReconciliation(ServerRequest req, ServerResponse res) {
        Store.Reconciliation r = store.reconcile(operatorOrg(req));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("balanced", r.balanced());
        m.put("eventsCharged", Views.credits(r.eventsChargedMicros()));
        m.put("bucketsConsumed", Views.credits(r.bucketsConsumedMicros()));
        m.put("overage", Views.credits(r.overageMicros()));
        m.put("periodsConsumed", Views.credits(r.periodsConsumedMicros()));
        m.put("events", r.events());
        m.put("periodEvents", r.periodEvents());
        Http.ok(res, m);
    }

    private void listMembers(ServerRequest req, ServerResponse res) {
        List<Object> out = new ArrayList<>();
        for (Member m : store.members(auth.adminOrg(req))) out.add(Views.member(m));
        Http.ok(res, Map.of("members", out));
    }

    private static String memberId(ServerRequest req) {
        String id = Http.param(req, "memberId");
        String problem = Member.validateId(id);
        if (problem != null) throw Failure.invalid("memberId", problem);
        return id;
    }

    /** The role a PUT without one keeps: the member's own, or member for a new one (an admin is never demoted by omission). */
    private Role currentRoleOrMember(String orgId, String memberId) {
        Member current = store.member(orgId, memberId);
        return current == null ? Role.MEMBER : current.role();
    }

    private void putMember(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        String memberId = memberId(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("role", "type"));
        String roleText = Json.optionalString(body, "role");
        Role role = roleText == null ? currentRoleOrMember(orgId, memberId) : switch (roleText) {
            case "admin" -> Role.ADMIN;
            case "member" -> Role.MEMBER;
            default -> throw Failure.invalid("role", "role must be admin or member, got '" + roleText + "'");
        };
        String typeText = Json.optionalString(body, "type");
        Member.Type type;
        try {
            type = typeText == null ? Member.typeOf(memberId) : Member.Type.parse(typeText);
        } catch (IllegalArgumentException e) {
            throw Failure.invalid("type", e.getMessage());
        }
        if (type != Member.typeOf(memberId)) {
            throw Failure.invalid("type", "a service account's id is 'SA <name>' and a user's is an email; '" + memberId + "' cannot be " + type.wire());
        }
        Member stored = store.putMember(orgId, memberId, role, type);
        auth.forgetAll(); // the member's keys act with at most their role
        Http.ok(res, Views.member(stored));
    }

    private void getMember(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        Member m = store.member(orgId, Http.param(req, "memberId"));
        if (m == null) throw Failure.notFound("MEMBER_NOT_FOUND", "member '" + Http.param(req, "memberId") + "' does not exist in org '" + orgId + "'");
        Http.ok(res, Views.member(m));
    }

    private void deleteMember(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        String memberId = Http.param(req, "memberId");
        if (!store.deleteMember(orgId, memberId)) {
            throw Failure.notFound("MEMBER_NOT_FOUND", "member '" + memberId + "' does not exist in org '" + orgId + "'");
        }
        auth.forgetAll();
        res.status(Status.NO_CONTENT_204).send();
    }

    private void createKey(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", Set.of("role", "memberId"));
        String roleText = Json.requiredString(body, "role");
        String memberId = Json.optionalString(body, "memberId");
        Role role = switch (roleText) {
            case "admin" -> Role.ADMIN;
            case "member" -> Role.MEMBER;
            default -> throw Failure.invalid("role", "role must be admin or member (operator keys come from the deployment's configuration), got '" + roleText + "'");
        };
        if (role == Role.MEMBER && memberId == null) throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "a member key needs memberId", Map.of("field", "memberId"));
        requireOrg(orgId);
        Store.CreatedKey k = store.createKey(orgId, role, memberId);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("key", k.key());
        m.put("role", k.role().wire());
        m.put("orgId", orgId);
        m.put("memberId", k.memberId());
        Http.json(res, Status.CREATED_201, m);
    }

    private void deleteKey(ServerRequest req, ServerResponse res) {
        String orgId = auth.adminOrg(req);
        String keyId = Http.param(req, "keyId");
        if (!store.deleteKey(orgId, keyId)) throw Failure.notFound("KEY_NOT_FOUND", "key '" + keyId + "' does not exist in org '" + orgId + "'");
        auth.forgetAll();
        res.status(Status.NO_CONTENT_204).send();
    }
}
