package creditline.testing;

import creditline.app.Config;
import creditline.app.Creditline;
import creditline.store.Store;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;

/** The configuration tests run with: free port, 2-decimal charges, 100 credits per USD, 600 s holds, 50 ms webhook retries. */
public final class TestConfig {
    public static final BigDecimal CREDITS_PER_USD = new BigDecimal("100");
    /** As deployed by default (CREDITLINE_POSTGRES_WRITERS). */
    public static final int POSTGRES_WRITERS = 2;

    private TestConfig() {}

    public static Config of(String db) {
        return new Config("127.0.0.1", 0, db, "test-operator-key", Path.of("."), 2, CREDITS_PER_USD, true, 600, 50, POSTGRES_WRITERS, true);
    }

    public static Config withScale(String db, int chargeScale) {
        Config c = of(db);
        return new Config(c.host(), c.port(), c.db(), c.operatorKey(), c.dataDir(), chargeScale, c.creditsPerUsd(), c.meteringOn(),
                c.reservationTtlSeconds(), c.webhookRetryBaseMs(), c.postgresWriters(), c.webhookPrivateAddresses());
    }

    /** A store (no HTTP) on the database. */
    public static Store store(Config config, Clock clock) {
        return Creditline.openStore(config, clock, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }
}
