package creditline.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.common.Failure;
import creditline.plan.Plan;
import creditline.pricelist.CatalogImport;
import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import creditline.store.Store;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Models with effective-dated rate versions, and plans: operators write, any key reads. */
final class CatalogRoutes {
    private static final Logger log = LoggerFactory.getLogger(CatalogRoutes.class);
    private static final Pattern SEGMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,127}");
    private static final Set<String> MODEL_FIELDS = Set.of("name", "provider", "rates", "ratesUsd", "unmetered", "effectiveFrom");
    private static final Set<String> PLAN_FIELDS = Set.of("name", "monthlyPrice", "creditsIncluded", "tokensIncluded", "overage",
            "overagePricePerCredit", "features", "rollover");

    private final Store store;
    private final Authenticator auth;
    private final BigDecimal creditsPerUsd;

    CatalogRoutes(Store store, Authenticator auth, BigDecimal creditsPerUsd) {
        this.store = store;
        this.auth = auth;
        this.creditsPerUsd = creditsPerUsd;
    }

    void register(HttpRouting.Builder r) {
        // Greedy: model ids may contain '/' (e.g. openrouter/anthropic/claude), sent as %2F or as is.
        r.post("/v1/models:import", this::importModels)
                .put("/v1/models/{+modelId}", this::putModel)
                .get("/v1/models", this::listModels)
                .get("/v1/models/{+modelId}", this::getModelOrRates)
                .put("/v1/plans/{planId}", this::putPlan)
                .get("/v1/plans", this::listPlans)
                .get("/v1/plans/{planId}", this::getPlan);
    }

    /** A model id ({@link Model#ID}: may hold '/', as provider paths do). */
    static String modelId(String id, String what) {
        if (id == null || !Model.ID.matcher(id).matches()) throw Failure.invalid(what, what + " must be " + Model.ID_RULE + ", got '" + id + "'");
        return id;
    }

    static final int LABEL_LENGTH_MAX = 200;

    /** A display name (a model's, its provider's, a plan's): at most 200 characters, no control characters; null stays null. */
    static String label(String text, String field) {
        if (text == null) return null;
        if (text.isBlank()) throw Failure.invalid(field, field + " must not be blank (leave it out instead)");
        if (text.length() > LABEL_LENGTH_MAX) throw Failure.invalid(field, field + " must be at most " + LABEL_LENGTH_MAX + " characters");
        if (text.chars().anyMatch(Character::isISOControl)) throw Failure.invalid(field, field + " must not contain control characters");
        return text;
    }

    /** An id that is one segment of a path (orgs, plans, webhooks): no '/', which no route could reach. */
    static String segmentId(String id, String what) {
        if (id == null || !SEGMENT_ID.matcher(id).matches()) {
            throw Failure.invalid(what, what + " must be 1-128 characters of letters, digits and ._:@+- starting with a letter or digit, got '" + id + "'");
        }
        return id;
    }

    private void putModel(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        String id = modelId(Http.param(req, "modelId"), "modelId");
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", MODEL_FIELDS);
        JsonNode credit = body.get("rates");
        JsonNode usd = body.get("ratesUsd");
        if (credit != null && usd != null) throw Failure.invalid("rates", "give rates (credits) or ratesUsd (USD), not both");
        Rates rates = credit != null ? RatesJson.credits(credit) : usd != null ? RatesJson.usd(usd, creditsPerUsd) : Rates.NONE;
        String name = label(Json.optionalString(body, "name"), "name");
        String provider = label(Json.optionalString(body, "provider"), "provider");
        Model model = store.putModel(id, name, provider, Json.optionalBoolean(body, "unmetered", false), rates,
                Json.optionalInstant(body, "effectiveFrom"));
        Http.ok(res, Views.model(model, store.clock().instant()));
    }

    /**
     * {@code POST /v1/models:import?dryRun&creditsPerUsd&effectiveFrom}: a LiteLLM price list.
     * Answers the report (200) whether or not anything changed.
     */
    private void importModels(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        Http.onlyParams(req, Set.of("dryRun", "creditsPerUsd", "effectiveFrom"));
        String dryRunText = Http.query(req, "dryRun");
        if (dryRunText != null && !dryRunText.equals("true") && !dryRunText.equals("false")) {
            throw Failure.invalid("dryRun", "dryRun must be true or false, got '" + dryRunText + "'");
        }
        BigDecimal rate = creditsPerUsd;
        String rateText = Http.query(req, "creditsPerUsd");
        if (rateText != null) {
            try {
                rate = new BigDecimal(rateText.strip());
            } catch (NumberFormatException e) {
                rate = BigDecimal.ZERO;
            }
            if (rate.signum() <= 0) throw Failure.invalid("creditsPerUsd", "creditsPerUsd must be a positive decimal (credits per US dollar), got '" + rateText + "'");
        }
        Instant effectiveFrom = null;
        String fromText = Http.query(req, "effectiveFrom");
        if (fromText != null) effectiveFrom = Json.instant(fromText, "effectiveFrom");
        JsonNode list = Json.parse(Http.body(req));
        if (!list.isObject()) throw Failure.invalid("body", "the body must be a LiteLLM price list: one JSON object mapping model ids to their costs");
        long started = System.nanoTime();
        CatalogImport.Report report = CatalogImport.run(store, list, rate, effectiveFrom, "true".equals(dryRunText),
                (done, total) -> log.info("models import: {}/{} entries read", done, total));
        log.info("models import{}: {} added, {} changed, {} unchanged, {} skipped in {} ms", report.dryRun() ? " (dry run)" : "",
                report.added().size(), report.changed().size(), report.unchanged().size(), report.skipped().size(),
                (System.nanoTime() - started) / 1_000_000);
        Http.ok(res, ImportReports.render(report));
    }

    private Model requireModel(String id) {
        Model m = store.model(id);
        if (m == null) throw Failure.notFound("MODEL_NOT_FOUND", "model '" + id + "' does not exist");
        return m;
    }

    private void listModels(ServerRequest req, ServerResponse res) {
        auth.authenticate(req);
        Instant now = store.clock().instant();
        List<Object> out = new ArrayList<>();
        for (Model m : store.models()) out.add(Views.model(m, now));
        Http.ok(res, Map.of("models", out));
    }

    /** {@code GET /v1/models/{id}} and {@code GET /v1/models/{id}/rates} (a model whose own id ends in "/rates" wins). */
    private void getModelOrRates(ServerRequest req, ServerResponse res) {
        auth.authenticate(req);
        String path = Http.param(req, "modelId");
        if (path.endsWith("/rates") && store.model(path) == null) {
            rates(res, requireModel(path.substring(0, path.length() - "/rates".length())));
        } else {
            Http.ok(res, Views.model(requireModel(path), store.clock().instant()));
        }
    }

    private static void rates(ServerResponse res, Model m) {
        List<Object> versions = new ArrayList<>();
        for (RateVersion v : m.versions()) versions.add(Views.version(v));
        Http.ok(res, Map.of("modelId", m.id(), "versions", versions));
    }

    private void putPlan(ServerRequest req, ServerResponse res) {
        Authenticator.requireOperator(auth.authenticate(req));
        String id = segmentId(Http.param(req, "planId"), "planId");
        JsonNode body = Json.object(Json.parse(Http.body(req)), "body");
        Json.onlyFields(body, "", PLAN_FIELDS);
        String name = label(Json.requiredString(body, "name"), "name");
        JsonNode price = body.get("monthlyPrice");
        long priceMinor = 0;
        String currency = "USD";
        if (price != null && !price.isNull()) {
            Json.object(price, "monthlyPrice");
            Json.onlyFields(price, "monthlyPrice", Set.of("amount", "currency"));
            currency = currency(Json.optionalString(price, "currency"));
            priceMinor = minorUnits(Json.optionalDecimal(price, "amount"), currency, "monthlyPrice.amount", 0);
        }
        Long credits = Json.optionalCredits(body, "creditsIncluded");
        if (credits == null) throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "creditsIncluded is required", Map.of("field", "creditsIncluded"));
        String overage = Json.optionalString(body, "overage");
        Plan.Overage policy = switch (overage == null ? "block" : overage) {
            case "block" -> Plan.Overage.BLOCK;
            case "allow" -> Plan.Overage.ALLOW;
            default -> throw Failure.invalid("overage", "overage must be block or allow, got '" + overage + "'");
        };
        BigDecimal overagePrice = Json.optionalDecimal(body, "overagePricePerCredit");
        Long overageMinorMicros = overagePrice == null ? null : minorUnits(overagePrice, currency, "overagePricePerCredit", 6);
        List<String> features = Json.optionalStrings(body, "features");
        if (features != null) {
            for (String f : features) {
                if (f.isBlank() || f.contains("\n") || f.length() > 200) throw Failure.invalid("features", "each feature must be one non-empty line of at most 200 characters");
            }
        }
        Plan plan = new Plan(id, name, priceMinor, currency, credits, Json.optionalCount(body, "tokensIncluded"), policy,
                overageMinorMicros, features == null ? List.of() : features, Json.optionalBoolean(body, "rollover", false));
        Http.ok(res, Views.plan(store.putPlan(plan)));
    }

    private static String currency(String code) {
        if (code == null) return "USD";
        try {
            return Currency.getInstance(code.toUpperCase(Locale.ROOT)).getCurrencyCode();
        } catch (IllegalArgumentException e) {
            throw Failure.invalid("monthlyPrice.currency", "currency must be an ISO 4217 code such as USD, got '" + code + "'");
        }
    }

    /** An amount in minor units of the currency, times 10^extraDigits; it must be exact. */
    private static long minorUnits(BigDecimal amount, String currency, String field, int extraDigits) {
        if (amount == null) return 0;
        if (amount.signum() < 0) throw Failure.invalid(field, field + " must not be negative");
        try {
            return amount.movePointRight(Views.fractionDigits(currency) + extraDigits).longValueExact();
        } catch (ArithmeticException e) {
            throw Failure.invalid(field, field + " has more decimals than " + currency + " allows (" + (Views.fractionDigits(currency) + extraDigits) + ")");
        }
    }

    private void listPlans(ServerRequest req, ServerResponse res) {
        auth.authenticate(req);
        List<Object> out = new ArrayList<>();
        for (Plan p : store.plans()) out.add(Views.plan(p));
        Http.ok(res, Map.of("plans", out));
    }

    private void getPlan(ServerRequest req, ServerResponse res) {
        auth.authenticate(req);
        Plan p = store.plan(Http.param(req, "planId"));
        if (p == null) throw Failure.notFound("PLAN_NOT_FOUND", "plan '" + Http.param(req, "planId") + "' does not exist");
        Http.ok(res, Views.plan(p));
    }

}
