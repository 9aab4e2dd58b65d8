package creditline.api.http;

import creditline.auth.Keys;
import creditline.auth.Principal;
import creditline.common.Failure;
import creditline.store.Store;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves {@code Authorization: Bearer <key>} to a {@link Principal}. Stored keys are cached
 * by hash for {@link #CACHE_TTL_NANOS}; deleting a key (or its member) on this instance clears the
 * cache at once, on other instances sharing the database within the TTL: short, as a revoked key
 * must stop working, and long enough that a busy key is read once a second, not on every call.
 */
final class Authenticator {
    static final long CACHE_TTL_NANOS = 1_000_000_000L;
    static final int CACHE_ENTRIES_MAX = 10_000;
    private static final int KEY_LENGTH_MAX = 200;

    private record Cached(Principal principal, long expiresAtNanos) {}

    private final Store store;
    private final String operatorKeyHash;
    private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

    Authenticator(Store store, String operatorKeyHash) {
        this.store = store;
        this.operatorKeyHash = operatorKeyHash;
    }

    Principal authenticate(ServerRequest req) {
        java.util.List<String> headers = req.headers().all(HeaderNames.AUTHORIZATION, java.util.List::of);
        if (headers.isEmpty()) throw unauthenticated("missing Authorization header; send 'Authorization: Bearer <key>'");
        // Two keys: which one a proxy or a log saw is anyone's guess, so neither is taken.
        if (headers.size() > 1) throw unauthenticated("send one Authorization header, got " + headers.size());
        String header = headers.get(0);
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) throw unauthenticated("the Authorization header must be 'Bearer <key>'");
        String key = header.substring(7).trim();
        if (key.isEmpty() || key.length() > KEY_LENGTH_MAX) throw unauthenticated("invalid API key");
        String hash = Keys.hash(key);
        if (Keys.sameHash(hash, operatorKeyHash)) return Principal.BOOTSTRAP_OPERATOR;
        long now = System.nanoTime();
        Cached cached = cache.get(hash);
        if (cached == null || cached.expiresAtNanos() - now < 0) {
            Principal p = store.principalByKeyHash(hash);
            if (cache.size() >= CACHE_ENTRIES_MAX) cache.clear();
            cached = new Cached(p, now + CACHE_TTL_NANOS);
            cache.put(hash, cached);
        }
        if (cached.principal() == null) throw unauthenticated("invalid API key");
        return cached.principal();
    }

    void forgetAll() {
        cache.clear();
    }

    private static Failure unauthenticated(String message) {
        return new Failure(Failure.Kind.UNAUTHENTICATED, "UNAUTHENTICATED", message);
    }

    static Failure forbidden(String message) {
        return new Failure(Failure.Kind.FORBIDDEN, "FORBIDDEN", message);
    }

    static void requireOperator(Principal p) {
        if (!p.isOperator()) throw forbidden("this needs an operator key");
    }

    /** Authenticates and checks the caller may administer the org named in the path; returns its id. */
    String adminOrg(ServerRequest req) {
        String orgId = Http.param(req, "orgId");
        requireAdmin(authenticate(req), orgId);
        return orgId;
    }

    static void requireAdmin(Principal p, String orgId) {
        if (!p.canAdminister(orgId)) throw forbidden("this key may not act on org '" + orgId + "'");
    }
}
