package creditline.store;


import creditline.app.Config;
import creditline.app.Creditline;
import creditline.auth.Member;
import creditline.auth.Role;
import creditline.plan.Plan;
import creditline.pricing.Credits;
import creditline.pricing.Rates;
import creditline.pricing.TokenCounts;
import creditline.testing.TestConfig;
import creditline.testing.MutableClock;
import creditline.usage.UsageEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** A fresh store per test with plans, models and helpers; subclasses name the database. */
abstract class StoreFixture {
    static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");

    final MutableClock clock = new MutableClock(NOW);
    String db;
    Store store;

    abstract String freshDatabase();

    @BeforeEach
    void open() {
        db = freshDatabase();
        store = open(db);
        seedCatalog(store);
    }

    /** The plans and models every test starts with. */
    static void seedCatalog(Store s) {
        s.putPlan(plan("free", "100", Plan.Overage.BLOCK, false));
        s.putPlan(plan("pro", "40000", Plan.Overage.ALLOW, false));
        s.putPlan(plan("rolling", "1000", Plan.Overage.ALLOW, true));
        s.putModel("sonnet", "Sonnet", "anthropic", false, rates("300", "1500", "375", "30"), NOW.minus(Duration.ofDays(90)));
        s.putModel("reply", "Per reply", "openai", false, new Rates(null, null, null, null, null, micros("5"), null), NOW.minus(Duration.ofDays(90)));
        s.putModel("local", "Local", "local", true, new Rates(null, null, null, null, null, micros("1"), null), NOW.minus(Duration.ofDays(90)));
    }

    /** Writers a store of this test has on PostgreSQL (the deployment's default unless a test needs one). */
    int postgresWriters() {
        return TestConfig.POSTGRES_WRITERS;
    }

    Store open(String database) {
        Config config = TestConfig.of(database).withPostgresWriters(postgresWriters());
        return Creditline.openStore(config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    private final List<Store> otherInstances = new ArrayList<>();

    /** Another store instance on the same database, as a second Creditline instance would have; closed after the test. */
    Store anotherInstance() {
        Store s = open(db);
        otherInstances.add(s);
        return s;
    }

    @AfterEach
    void close() {
        for (Store s : otherInstances) {
            s.close();
            s.database().close();
        }
        store.close();
        store.database().close();
        creditline.testing.Databases.drop(db);
    }

    static Plan plan(String id, String credits, Plan.Overage overage, boolean rollover) {
        return new Plan(id, id, 0, "USD", Credits.parseMicros(credits), null, overage, null, List.of(), rollover);
    }

    static Long micros(String credits) {
        return credits == null ? null : Credits.parseMicros(credits);
    }

    static Rates rates(String in, String out, String cw, String cr) {
        return new Rates(micros(in), micros(out), micros(cw), micros(cr), null, null, null);
    }

    static UsageEvent event(String id, String org, String member, String model, Instant at, long in, long out) {
        return new UsageEvent(id, org, member, model, "chat", at, new TokenCounts(in, out, 0, 0), 0, null, false, UsageEvent.Details.NONE);
    }

    void org(String id, String plan) {
        store.createOrg(id, id, plan);
        store.putMember(id, "a@x.io", Role.MEMBER, Member.Type.USER);
    }

    /** Waits up to 10 s for the condition (e.g. a decision lease taken or given up). */
    static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
            Thread.sleep(20);
        }
    }

    long balance(String org) {
        return store.balance(org).creditsMicros();
    }

}
