package creditline.api.http;

import creditline.auth.Principal;
import creditline.store.Store;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/me}: who a key is (role, org, member) and the server's date, so a client such as
 * the dashboard can pick its views and compute date presets on the server's calendar (UTC).
 */
final class MeRoutes {
    private final Store store;
    private final Authenticator auth;

    MeRoutes(Store store, Authenticator auth) {
        this.store = store;
        this.auth = auth;
    }

    void register(HttpRouting.Builder r) {
        r.get("/v1/me", this::me);
    }

    private void me(ServerRequest req, ServerResponse res) {
        Principal p = auth.authenticate(req);
        Http.onlyParams(req, Set.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", p.role().wire());
        m.put("orgId", p.orgId());
        m.put("memberId", p.memberId());
        m.put("today", LocalDate.ofInstant(store.clock().instant(), ZoneOffset.UTC).toString());
        Http.ok(res, m);
    }
}
