package creditline.api.graphql;

import creditline.analytics.DateRange;
import creditline.analytics.MemberQuery;
import creditline.analytics.MemberUsage;
import creditline.api.http.Json;
import creditline.api.http.NotificationJson;
import creditline.api.http.UsageJson;
import creditline.auth.Member;
import creditline.auth.Principal;
import creditline.budget.BudgetSettings;
import creditline.common.Failure;
import creditline.plan.Plan;
import creditline.plan.Subscription;
import creditline.pricing.Credits;
import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import creditline.store.Store;
import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLContext;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.CoercedVariables;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.language.AstPrinter;
import graphql.language.FloatValue;
import graphql.language.IntValue;
import graphql.language.StringValue;
import graphql.language.Value;
import graphql.schema.Coercing;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.schema.CoercingSerializeException;
import graphql.schema.DataFetchingEnvironment;
import graphql.schema.GraphQLScalarType;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The executable schema: resolvers over {@link Store}, checks of the caller's role per field. */
public final class CreditlineGraphQl {
    private static final Logger log = LoggerFactory.getLogger(CreditlineGraphQl.class);
    static final String PRINCIPAL = "principal";
    static final String AUTH_FAILURE = "authFailure";
    static final int NOTIFICATIONS_MAX = 500;
    /** The most fields a query may select (each counts one, as aliases do) and the deepest it may nest. */
    static final int QUERY_FIELDS_MAX = 500;
    static final int QUERY_DEPTH_MAX = 12;
    /** Where an {@code OrgUsage} value keeps its parsed range for its member table (not a schema field). */
    private static final String RANGE = "_range";
    private static final String DECIMAL_EXPECTED = "Decimal must be a decimal number such as \"12.35\", got ";

    private final Store store;
    private final String sdl;
    private final GraphQL graphQl;

    public CreditlineGraphQl(Store store) {
        this.store = store;
        this.sdl = readSchema();
        RuntimeWiring wiring = RuntimeWiring.newRuntimeWiring()
                .strictMode(false).scalar(idScalar()).strictMode(true) // replaces graphql-java's ID
                .scalar(decimalScalar())
                .scalar(longScalar())
                .type("Query", q -> q
                        .dataFetcher("availablePlans", env -> store.plans().stream().map(CreditlineGraphQl::plan).toList())
                        .dataFetcher("availableBaseModels", env -> models())
                        .dataFetcher("teamSubscription", env -> subscription(store.subscription(admin(env, env.getArgument("teamId")))))
                        .dataFetcher("balance", env -> balance(store.balance(admin(env, env.getArgument("orgId")))))
                        .dataFetcher("budgets", env -> budgets(store.budgets(admin(env, env.getArgument("orgId")))))
                        .dataFetcher("members", env -> members(admin(env, env.getArgument("orgId"))))
                        .dataFetcher("notifications", this::notifications)
                        .dataFetcher("orgUsage", this::orgUsage))
                .type("OrgUsage", t -> t.dataFetcher("members", this::memberTable))
                .type("Mutation", m -> m
                        .dataFetcher("setBudgets", this::setBudgets)
                        .dataFetcher("setMemberBudget", this::setMemberBudget)
                        .dataFetcher("clearMemberBudget", this::clearMemberBudget))
                .build();
        GraphQLSchema schema = new SchemaGenerator().makeExecutableSchema(new SchemaParser().parse(sdl), wiring);
        this.graphQl = GraphQL.newGraphQL(schema).defaultDataFetcherExceptionHandler(errors())
                // 2,000 aliases of one field were run 2,000 times: a query's size is bounded like a REST request's.
                .instrumentation(new graphql.execution.instrumentation.ChainedInstrumentation(List.of(
                        new graphql.analysis.MaxQueryDepthInstrumentation(QUERY_DEPTH_MAX),
                        new graphql.analysis.MaxQueryComplexityInstrumentation(QUERY_FIELDS_MAX))))
                .build();
    }

    /** The schema in SDL, as published at {@code GET /graphql/schema}. */
    public String schemaText() {
        return sdl;
    }

    /**
     * Runs one operation for a caller: {@code principal} null when no key was sent;
     * {@code authFailure} set when a key was sent but is not valid (private fields then fail with it).
     */
    public Map<String, Object> execute(String query, Map<String, Object> variables, String operationName, Principal principal, Failure authFailure) {
        Map<Object, Object> context = new LinkedHashMap<>();
        if (principal != null) context.put(PRINCIPAL, principal);
        if (authFailure != null) context.put(AUTH_FAILURE, authFailure);
        ExecutionResult result = graphQl.execute(ExecutionInput.newExecutionInput()
                .query(query)
                .variables(variables == null ? Map.of() : variables)
                .operationName(operationName)
                .graphQLContext(context)
                .build());
        Map<String, Object> out = result.toSpecification();
        if (out.get("errors") instanceof List<?> errors) {
            QueryErrorText text = new QueryErrorText(query);
            out.put("errors", errors.stream().map(e -> withCode(e, text)).toList());
        }
        return out;
    }

    /**
     * An error with {@code extensions.code}: the query's own errors (syntax, validation, variables),
     * which graphql-java raises with a {@code classification} only, are {@code VALIDATION_ERROR},
     * as a malformed request is in REST, and their message in the caller's words ({@link QueryErrorText}).
     */
    @SuppressWarnings("unchecked")
    private static Object withCode(Object error, QueryErrorText text) {
        if (!(error instanceof Map<?, ?> e)) return error;
        Map<String, Object> extensions = e.get("extensions") instanceof Map<?, ?> x ? new LinkedHashMap<>((Map<String, Object>) x) : new LinkedHashMap<>();
        if (extensions.containsKey("code")) return error;
        extensions.put("code", "VALIDATION_ERROR");
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) e);
        if (copy.get("message") instanceof String message) copy.put("message", text.reword(message));
        copy.put("extensions", extensions);
        return copy;
    }

    private static String readSchema() {
        try (InputStream in = CreditlineGraphQl.class.getResourceAsStream("/graphql/schema.graphqls")) {
            if (in == null) throw new IllegalStateException("graphql/schema.graphqls is missing from the classpath");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- access ----

    private static Principal caller(DataFetchingEnvironment env) {
        GraphQLContext ctx = env.getGraphQlContext();
        Failure failure = ctx.get(AUTH_FAILURE);
        if (failure != null) throw failure;
        Principal p = ctx.get(PRINCIPAL);
        if (p == null) throw new Failure(Failure.Kind.UNAUTHENTICATED, "UNAUTHENTICATED", "this field needs 'Authorization: Bearer <key>'");
        return p;
    }

    /** The org id, once the caller may administer it (operators, admins of that org). */
    private static String admin(DataFetchingEnvironment env, String orgId) {
        if (!caller(env).canAdminister(orgId)) throw new Failure(Failure.Kind.FORBIDDEN, "FORBIDDEN", "this key may not act on org '" + orgId + "'");
        return orgId;
    }

    private static DataFetcherExceptionHandler errors() {
        return params -> {
            Throwable t = params.getException();
            String code;
            String message;
            if (t instanceof Failure f) {
                code = f.code();
                message = f.getMessage();
            } else {
                log.error("GraphQL field {} failed", params.getPath(), t);
                code = "INTERNAL";
                message = "internal error; see the server log";
            }
            GraphQLError error = GraphqlErrorBuilder.newError()
                    .message(message)
                    .path(params.getPath())
                    .location(params.getSourceLocation())
                    .extensions(Map.of("code", code))
                    .build();
            return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult().error(error).build());
        };
    }

    // ---- views ----

    private static String credits(Long micros) {
        return micros == null ? null : Credits.format(micros);
    }

    static Map<String, Object> plan(Plan p) {
        int digits = Math.max(0, Currency.getInstance(p.currency()).getDefaultFractionDigits());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("monthlyPrice", BigDecimal.valueOf(p.monthlyPriceMinor(), digits).toPlainString());
        m.put("currency", p.currency());
        m.put("creditsIncluded", credits(p.creditsIncludedMicros()));
        m.put("tokensIncluded", p.tokensIncluded());
        m.put("overage", p.overage().name().toLowerCase(Locale.ROOT));
        m.put("overagePricePerCredit", p.overagePricePerCreditMinorMicros() == null ? null
                : BigDecimal.valueOf(p.overagePricePerCreditMinorMicros(), 6 + digits).stripTrailingZeros().toPlainString());
        m.put("features", p.features());
        return m;
    }

    private List<Map<String, Object>> models() {
        Instant now = store.clock().instant();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Model model : store.models()) {
            RateVersion v = model.versionAt(now);
            Rates r = v == null ? Rates.NONE : v.rates();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", model.id());
            m.put("name", model.name());
            m.put("provider", model.provider());
            m.put("unmetered", v != null && v.unmetered());
            m.put("creditInputPer1M", credits(r.inputPer1MMicros()));
            m.put("creditOutputPer1M", credits(r.outputPer1MMicros()));
            m.put("creditCachedInputPer1M", credits(r.cachedInputPer1MMicros()));
            m.put("creditCacheReadPer1M", credits(r.cacheReadPer1MMicros()));
            m.put("creditCacheWritePer1M", credits(r.cacheWritePer1MMicros()));
            m.put("creditPerRequest", credits(r.perRequestMicros()));
            m.put("creditPerToolCall", credits(r.perToolCallMicros()));
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> subscription(Subscription s) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("creditsUsed", credits(s.creditsUsedMicros()));
        usage.put("creditsLimit", credits(s.allotmentMicros()));
        usage.put("percentUsed", s.allotmentMicros() <= 0 ? null : BigDecimal.valueOf(s.creditsUsedMicros()).multiply(BigDecimal.valueOf(100))
                .divide(BigDecimal.valueOf(s.allotmentMicros()), 2, RoundingMode.HALF_UP).doubleValue());
        usage.put("totalTokensUsed", s.totalTokens());
        usage.put("inputTokens", s.inputTokens());
        usage.put("outputTokens", s.outputTokens());
        usage.put("cacheWriteTokens", s.cacheWriteTokens());
        usage.put("cacheReadTokens", s.cacheReadTokens());
        usage.put("overageCredits", credits(s.overageMicros()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", s.plan().id());
        m.put("planName", s.plan().name());
        m.put("status", s.status());
        m.put("periodStart", s.periodStart().toString());
        m.put("periodEnd", s.periodEnd().toString());
        m.put("usage", usage);
        return m;
    }

    static Map<String, Object> balance(creditline.plan.Balance b) {
        return Map.of("credits", credits(b.creditsMicros()), "reserved", credits(b.reservedMicros()), "available", credits(b.availableMicros()));
    }

    static Map<String, Object> budget(BudgetSettings.Budget b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("credits", credits(b.creditsMicros()));
        m.put("enforce", b.enforce());
        m.put("notify", b.notifies());
        m.put("alertPercent", b.alertPercent());
        return m;
    }

    static Map<String, Object> budgets(BudgetSettings s) {
        return Map.of("org", budget(s.org()), "defaultMember", budget(s.defaultMember()));
    }

    private List<Map<String, Object>> members(String orgId) {
        BudgetSettings settings = store.budgets(orgId);
        Map<String, Optional<Long>> overrides = store.budgetOverrides(orgId);
        List<Map<String, Object>> out = new ArrayList<>();
        for (Member mem : store.members(orgId)) out.add(memberBudget(mem, settings, overrides.get(mem.memberId())));
        return out;
    }

    private static Map<String, Object> memberBudget(Member mem, BudgetSettings settings, Optional<Long> override) {
        BudgetSettings.Budget effective = settings.forMember(override != null, override == null ? null : override.orElse(null));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memberId", mem.memberId());
        m.put("type", mem.type().wire());
        m.put("role", mem.role().wire());
        m.put("override", override != null);
        m.put("credits", credits(effective.creditsMicros()));
        m.put("enforce", effective.enforce());
        return m;
    }

    private Map<String, Object> memberBudget(String orgId, String memberId) {
        Member mem = store.member(orgId, memberId);
        if (mem == null) throw Failure.notFound("MEMBER_NOT_FOUND", "member '" + memberId + "' does not exist in org '" + orgId + "'");
        return memberBudget(mem, store.budgets(orgId), store.budgetOverrides(orgId).get(memberId));
    }

    private List<Map<String, Object>> notifications(DataFetchingEnvironment env) {
        String orgId = admin(env, env.getArgument("orgId"));
        Integer limit = env.getArgument("limit");
        if (limit == null || limit < 1 || limit > NOTIFICATIONS_MAX) {
            throw Failure.invalid("limit", "limit must be 1 to " + NOTIFICATIONS_MAX + ", got " + limit);
        }
        return NotificationJson.of(store.notifications(orgId, null, limit));
    }

    /** The summary of the range; the member table is fetched only when asked for (see {@link #memberTable}). */
    private Map<String, Object> orgUsage(DataFetchingEnvironment env) {
        String orgId = admin(env, env.getArgument("orgId"));
        DateRange range = DateRange.parse(env.getArgument("from"), env.getArgument("to"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("orgId", orgId);
        m.putAll(UsageJson.summary(store.usageSummary(orgId, null, range)));
        m.put(RANGE, range);
        return m;
    }

    private Map<String, Object> memberTable(DataFetchingEnvironment env) {
        Map<String, Object> usage = env.getSource();
        MemberQuery q = MemberQuery.parse(env.getArgument("sort"), env.getArgument("order"), env.getArgument("search"),
                text(env.getArgument("page")), text(env.getArgument("pageSize")));
        MemberUsage.Page page = store.memberUsage((String) usage.get("orgId"), (DateRange) usage.get(RANGE), q);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rows", page.rows().stream().map(UsageJson::memberRow).toList());
        m.put("total", page.total());
        m.put("page", q.page());
        m.put("pageSize", q.pageSize());
        return m;
    }

    private static String text(Integer n) {
        return n == null ? null : n.toString();
    }

    // ---- mutations ----

    private Map<String, Object> setBudgets(DataFetchingEnvironment env) {
        String orgId = admin(env, env.getArgument("orgId"));
        Map<String, Object> input = env.getArgument("input");
        BudgetSettings current = store.budgets(orgId);
        BudgetSettings next = new BudgetSettings(merge(input.get("org"), "org", current.org()),
                merge(input.get("defaultMember"), "defaultMember", current.defaultMember()));
        return budgets(store.putBudgets(orgId, next));
    }

    @SuppressWarnings("unchecked")
    private static BudgetSettings.Budget merge(Object section, String where, BudgetSettings.Budget current) {
        if (section == null) return current;
        Map<String, Object> in = (Map<String, Object>) section;
        Long credits = in.containsKey("credits") ? micros((String) in.get("credits")) : current.creditsMicros();
        Integer alert = (Integer) in.get("alertPercent");
        return new BudgetSettings.Budget(credits, in.get("enforce") == null ? current.enforce() : (Boolean) in.get("enforce"),
                in.get("notify") == null ? current.notifies() : (Boolean) in.get("notify"),
                alert == null ? current.alertPercent() : BudgetSettings.alertPercent(alert, where + ".alertPercent"));
    }

    /** Credits read as REST reads them (PUT …/budgets and …/budgets/members/{m}): the same limits, codes and messages. */
    private static Long micros(String decimal) {
        return Json.optionalCredits(Json.MAPPER.createObjectNode().put("credits", decimal), "credits");
    }

    private Map<String, Object> setMemberBudget(DataFetchingEnvironment env) {
        String orgId = admin(env, env.getArgument("orgId"));
        String memberId = env.getArgument("memberId");
        // As REST's PUT: an unlimited override is said with credits: null, never by leaving it out.
        if (!env.containsArgument("credits")) {
            throw new Failure(Failure.Kind.INVALID, "MISSING_FIELD", "credits is required (null for unlimited)", Map.of("field", "credits"));
        }
        store.putBudgetOverride(orgId, memberId, micros(env.getArgument("credits")));
        return memberBudget(orgId, memberId);
    }

    private Map<String, Object> clearMemberBudget(DataFetchingEnvironment env) {
        String orgId = admin(env, env.getArgument("orgId"));
        String memberId = env.getArgument("memberId");
        store.deleteBudgetOverride(orgId, memberId);
        return memberBudget(orgId, memberId);
    }

    // ---- scalars ----

    /**
     * The spec's {@code ID}, strictly: a string or an integer. graphql-java's own turns any
     * variable into text — {@code {"a": 1}} became the id {@code "{a=1}"}, echoed back in "not
     * found" — where a literal of the same shape is refused.
     */
    private static GraphQLScalarType idScalar() {
        return GraphQLScalarType.newScalar().name("ID").description("An id: a string, or an integer taken as its digits")
                .coercing(new Coercing<String, String>() {
                    @Override
                    public String serialize(Object value, GraphQLContext context, Locale locale) {
                        if (value instanceof String || value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger) {
                            return value.toString();
                        }
                        throw new CoercingSerializeException("not an id: " + value);
                    }

                    @Override
                    public String parseValue(Object input, GraphQLContext context, Locale locale) {
                        if (input instanceof String s) return s;
                        if (input instanceof Integer || input instanceof Long || input instanceof java.math.BigInteger) return input.toString();
                        throw new CoercingParseValueException("ID must be a string or an integer, got " + new String(Json.write(input), StandardCharsets.UTF_8));
                    }

                    @Override
                    public String parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                        if (input instanceof StringValue s) return s.getValue();
                        if (input instanceof IntValue i) return i.getValue().toString();
                        throw new CoercingParseLiteralException("ID must be a string or an integer, got " + AstPrinter.printAst(input));
                    }
                }).build();
    }

    private static GraphQLScalarType decimalScalar() {
        return GraphQLScalarType.newScalar().name("Decimal").description("A decimal string such as \"12.35\"")
                .coercing(new Coercing<String, String>() {
                    @Override
                    public String serialize(Object value, GraphQLContext context, Locale locale) {
                        if (value instanceof String s) return s;
                        throw new CoercingSerializeException("not a decimal string: " + value);
                    }

                    @Override
                    public String parseValue(Object input, GraphQLContext context, Locale locale) {
                        String written = new String(Json.write(input), StandardCharsets.UTF_8);
                        if (input instanceof String s) return decimal(s, written, CoercingParseValueException::new);
                        if (input instanceof Number n) return decimal(n.toString(), written, CoercingParseValueException::new);
                        throw new CoercingParseValueException(DECIMAL_EXPECTED + written);
                    }

                    @Override
                    public String parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                        String written = AstPrinter.printAst(input);
                        if (input instanceof StringValue s) return decimal(s.getValue(), written, CoercingParseLiteralException::new);
                        if (input instanceof IntValue || input instanceof FloatValue) return decimal(written, written, CoercingParseLiteralException::new);
                        throw new CoercingParseLiteralException(DECIMAL_EXPECTED + written);
                    }
                }).build();
    }

    /**
     * The decimal {@code text} in plain digits, or {@code refusal} naming the value as the caller
     * {@code written} it: graphql-java reports a literal's refusal only as a
     * {@link CoercingParseLiteralException}, a variable's as a {@link CoercingParseValueException}.
     */
    private static String decimal(String text, String written, Function<String, ? extends RuntimeException> refusal) {
        BigDecimal d = Json.decimal(text);
        if (d == null) throw refusal.apply(DECIMAL_EXPECTED + written);
        if (Json.tooManyDigits(d)) {
            throw refusal.apply("Decimal must have at most " + Json.DECIMAL_DIGITS_MAX + " digits before and after the point, got " + written);
        }
        return d.toPlainString();
    }

    private static GraphQLScalarType longScalar() {
        return GraphQLScalarType.newScalar().name("Long").description("A 64-bit integer")
                .coercing(new Coercing<Long, Long>() {
                    @Override
                    public Long serialize(Object value, GraphQLContext context, Locale locale) {
                        if (value instanceof Number n) return n.longValue();
                        throw new CoercingSerializeException("not an integer: " + value);
                    }

                    @Override
                    public Long parseValue(Object input, GraphQLContext context, Locale locale) {
                        if (input instanceof Number n) return n.longValue();
                        throw new CoercingParseValueException("Long must be an integer");
                    }

                    @Override
                    public Long parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
                        if (input instanceof IntValue i) return i.getValue().longValueExact();
                        throw new CoercingParseLiteralException("Long must be an integer");
                    }
                }).build();
    }
}
