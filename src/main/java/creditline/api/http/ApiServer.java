package creditline.api.http;

import creditline.api.graphql.CreditlineGraphQl;
import creditline.auth.Keys;
import creditline.common.Failure;
import creditline.store.BatchingWriter;
import creditline.store.Store;
import io.helidon.common.mapper.MapperManager;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP server: routes, the error mapper, health and metrics. */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);

    private final WebServer server;

    static {
        fixMapperLookup();
    }

    /**
     * Helidon 4.2 reads a request's Content-Length through the global mapper manager, which it
     * looks up in its service registry on every request (about a sixth of the server's CPU per
     * small POST here, seen in a profile); setting it once makes that a field read.
     */
    public static void fixMapperLookup() {
        MapperManager.global(MapperManager.create());
    }

    /** The API's settings, from the deployment configuration. */
    public record Settings(String host, int port, String operatorKey, BigDecimal creditsPerUsd, long reservationTtlSeconds,
                           creditline.alert.WebhookTargets webhookTargets) {}

    public ApiServer(Store store, Settings config, PrometheusMeterRegistry metrics) {
        Authenticator auth = new Authenticator(store, Keys.hash(config.operatorKey()));
        HttpRouting.Builder routing = HttpRouting.builder();
        routing.addFilter(ApiServer::readWholeBody);
        routing.addFilter(ApiServer::noEmptySegment);
        routing.get("/healthz", (req, res) -> {
            boolean up = store.healthy();
            Http.json(res, up ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503, Map.of("status", up ? "ok" : "database unavailable"));
        });
        routing.get("/metrics", (req, res) -> {
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
            res.send(metrics.scrape());
        });
        new CatalogRoutes(store, auth, config.creditsPerUsd()).register(routing);
        new PriceRoutes(store, auth).register(routing);
        new OrgRoutes(store, auth).register(routing);
        new UsageRoutes(store, auth, metrics).register(routing);
        new EnforcementRoutes(store, auth, config.reservationTtlSeconds(), config.webhookTargets()).register(routing);
        new GraphQlRoutes(new CreditlineGraphQl(store), auth).register(routing);
        new AnalyticsRoutes(store, auth).register(routing);
        new BudgetCsvRoutes(store, auth).register(routing);
        new MeRoutes(store, auth).register(routing);
        new WebRoutes().register(routing);
        routing.any((req, res) -> error(res, new Failure(Failure.Kind.NOT_FOUND, "NOT_FOUND",
                "no such endpoint: " + req.prologue().method().text() + " " + req.path().path())));
        routing.error(Failure.class, (req, res, f) -> error(res, f));
        routing.error(BatchingWriter.OverloadedException.class, (req, res, e) ->
                error(res, new Failure(Failure.Kind.OVERLOADED, "OVERLOADED", e.getMessage() + "; retry with backoff")));
        // Exact arithmetic on amounts and counts the request gave (a price, a sum of charges) that left the ledger's range.
        routing.error(ArithmeticException.class, (req, res, e) -> error(res, new Failure(Failure.Kind.INVALID, "AMOUNT_OUT_OF_RANGE",
                "an amount this request computes does not fit the ledger's range: " + e.getMessage())));
        routing.error(creditline.store.StoreFailure.class, ApiServer::storeFailure);
        routing.error(Exception.class, ApiServer::internalError);
        this.server = WebServer.builder()
                .host(config.host())
                .port(config.port())
                // Twice our own limit, so bodies up to 64 MiB get our 413 naming the limit (Http.body); beyond, TransportErrors'.
                .maxPayloadSize(2L * Http.BODY_BYTES_MAX)
                .addProtocol(Http1Config.builder().maxPrologueLength(TransportErrors.URI_BYTES_MAX).build())
                .directHandlers(TransportErrors::register)
                .routing(routing)
                .build()
                .start();
        // Helidon logs a listener that could not start (e.g. "Address already in use") and returns a stopped server.
        if (!server.isRunning()) {
            throw new IllegalStateException("the HTTP listener did not start (is the port in use? the log above says why)");
        }
    }

    /**
     * Reads what is left of a request's body once it is answered (a 401 before the body was
     * read, say). Helidon 4.2 leaves it in the socket when the request says {@code Connection:
     * close} and then, not closing, reads it as the connection's next request — which it would
     * answer, too (request smuggling behind a proxy).
     */
    private static void readWholeBody(io.helidon.webserver.http.FilterChain chain, io.helidon.webserver.http.RoutingRequest req,
                                      io.helidon.webserver.http.RoutingResponse res) {
        try {
            chain.proceed();
        } finally {
            if (!req.content().consumed()) req.content().consume();
        }
    }

    /**
     * Refuses a path with an empty segment ({@code /v1/models/a//b}): Helidon would match it as
     * if the segment were not there ({@code a/b}: another model), and no id has one.
     */
    private static void noEmptySegment(io.helidon.webserver.http.FilterChain chain, io.helidon.webserver.http.RoutingRequest req,
                                       io.helidon.webserver.http.RoutingResponse res) {
        if (req.path().rawPath().contains("//")) {
            throw new Failure(Failure.Kind.NOT_FOUND, "NOT_FOUND", "no such endpoint: " + req.prologue().method().text() + " "
                    + req.path().rawPath() + " (a path has no empty segment)");
        }
        chain.proceed();
    }

    public int port() {
        return server.port();
    }

    /** When the last "database unavailable" line was logged, and how many such answers since (one line a second at most). */
    private static final java.util.concurrent.atomic.AtomicLong unavailableLoggedAtNanos = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - 2_000_000_000L);
    private static final java.util.concurrent.atomic.AtomicLong unavailableSinceLogged = new java.util.concurrent.atomic.AtomicLong();

    /**
     * A database that cannot be reached, dropped the connection or is full: 503 {@code
     * DATABASE_UNAVAILABLE}, saying whether the write may have been applied, and one log line a
     * second (not a stack trace per request); any other database error is a 500.
     */
    private static void storeFailure(ServerRequest req, ServerResponse res, creditline.store.StoreFailure f) {
        if (!f.unavailable()) {
            internalError(req, res, f);
            return;
        }
        long since = unavailableSinceLogged.incrementAndGet();
        long last = unavailableLoggedAtNanos.get();
        long now = System.nanoTime();
        if (now - last >= 1_000_000_000L && unavailableLoggedAtNanos.compareAndSet(last, now)) {
            unavailableSinceLogged.addAndGet(-since);
            log.warn("{} {}: the database is unavailable ({}){}", req.prologue().method().text(), req.path().path(), f.firstLine(),
                    since > 1 ? " — " + since + " such answers since the last line" : "");
        }
        if (f.outcomeUnknown()) {
            error(res, Status.SERVICE_UNAVAILABLE_503, "DATABASE_UNAVAILABLE", "the connection to the database was lost while this write was"
                    + " committing: it may or may not have been applied. Usage events can be sent again (a resent id is a duplicate);"
                    + " check before repeating another write", Map.of("outcome", "unknown"));
        } else {
            error(res, Status.SERVICE_UNAVAILABLE_503, "DATABASE_UNAVAILABLE", "the database is unavailable; nothing was written;"
                    + " retry with backoff", Map.of("outcome", "not applied"));
        }
    }

    private static void internalError(ServerRequest req, ServerResponse res, Exception e) {
        log.error("{} {} failed", req.prologue().method().text(), req.path().path(), e);
        error(res, Status.INTERNAL_SERVER_ERROR_500, "INTERNAL", "internal error; see the server log", Map.of());
    }

    static void error(ServerResponse res, Failure f) {
        Status status = switch (f.kind()) {
            case INVALID -> Status.BAD_REQUEST_400;
            case UNAUTHENTICATED -> Status.UNAUTHORIZED_401;
            case FORBIDDEN -> Status.FORBIDDEN_403;
            case NOT_FOUND -> Status.NOT_FOUND_404;
            case CONFLICT -> Status.CONFLICT_409;
            case TOO_LARGE -> Status.REQUEST_ENTITY_TOO_LARGE_413;
            case OVERLOADED -> Status.SERVICE_UNAVAILABLE_503;
        };
        if (f.kind() == Failure.Kind.UNAUTHENTICATED) res.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
        error(res, status, f.code(), f.getMessage(), f.details());
    }

    private static void error(ServerResponse res, Status status, String code, String message, Map<String, Object> details) {
        Http.json(res, status, errorBody(code, message, details));
    }

    /** The error body every 4xx and 5xx answer carries (docs/api.md, Errors). */
    static Map<String, Object> errorBody(String code, String message, Map<String, Object> details) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        body.put("message", message);
        body.put("details", details);
        return Map.of("error", body);
    }

    @Override
    public void close() {
        server.stop();
    }
}
