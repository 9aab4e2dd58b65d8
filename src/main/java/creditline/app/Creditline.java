package creditline.app;

import creditline.alert.WebhookTargets;
import creditline.api.http.ApiServer;
import creditline.pricing.Pricer;
import creditline.store.Database;
import creditline.store.Store;
import creditline.usage.Ingester;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;

/** A running Creditline: database, store with its writer, HTTP server. Closing stops them in order. */
public final class Creditline implements AutoCloseable {
    private final Database db;
    private final Store store;
    private final ApiServer server;
    private final WebhookDeliverer deliverer;

    private Creditline(Database db, Store store, ApiServer server, WebhookDeliverer deliverer) {
        this.db = db;
        this.store = store;
        this.server = server;
        this.deliverer = deliverer;
    }

    /** Opens the database and the store without HTTP (for tools and tests). */
    public static Store openStore(Config config, Clock clock, PrometheusMeterRegistry metrics) {
        Database db;
        try {
            db = Database.open(config.db());
        } catch (RuntimeException e) {
            throw new CannotStart("cannot open the database " + withoutParameters(config.db()), e);
        }
        DistributionSummary batches = DistributionSummary.builder("creditline_writer_batch_commands")
                .description("commands applied per write transaction").register(metrics);
        Ingester ingester = new Ingester(new Pricer(config.chargeScale()), config.meteringOn());
        // The ledger keeps microseconds: a time a write answers (a grant's createdAt, a hold's
        // expiresAt) is then the one every read of it answers.
        Clock micros = Clock.tick(clock, java.time.Duration.ofNanos(1_000));
        Store store;
        try {
            store = new Store(db, ingester, micros, batches::record, config.postgresWriters());
        } catch (RuntimeException e) {
            db.close();
            // A database it can read but not write (a read-only file): its first write is here.
            throw new CannotStart("cannot write to the database " + withoutParameters(config.db()), e);
        }
        io.micrometer.core.instrument.FunctionCounter.builder("creditline_decision_version_reads", store, Store::decisionVersionReads)
                .description("authorize decisions that read their org's state_version from the database").register(metrics);
        io.micrometer.core.instrument.Gauge.builder("creditline_decision_lease_held", store, s -> s.holdsDecisionLease() ? 1 : 0)
                .description("1 while this instance holds the decision lease (the only instance on the database)").register(metrics);
        return store;
    }

    /** A database location for messages: a JDBC URL without its parameters (they may hold a password). */
    static String withoutParameters(String db) {
        int q = db.indexOf('?');
        return q < 0 ? db : db.substring(0, q);
    }

    public static Creditline start(Config config, Clock clock) {
        if (config.operatorKey() == null) throw new IllegalArgumentException("an operator key is required");
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        Store store = openStore(config, clock, metrics);
        WebhookTargets webhookTargets = new WebhookTargets(config.webhookPrivateAddresses());
        try {
            ApiServer server;
            try {
                server = new ApiServer(store, new ApiServer.Settings(config.host(), config.port(), config.operatorKey(),
                        config.creditsPerUsd(), config.reservationTtlSeconds(), webhookTargets), metrics);
            } catch (RuntimeException e) {
                throw new CannotStart("cannot listen on " + config.host() + ":" + config.port(), e);
            }
            return new Creditline(store.database(), store, server, new WebhookDeliverer(store, java.time.Duration.ofMillis(config.webhookRetryBaseMs()),
                    webhookTargets));
        } catch (RuntimeException e) {
            store.close();
            store.database().close();
            throw e;
        }
    }

    public int port() { return server.port(); }

    public Store store() { return store; }

    @Override
    public void close() {
        server.close();
        deliverer.close();
        store.close();
        db.close();
    }
}
