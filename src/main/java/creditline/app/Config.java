package creditline.app;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Map;

/**
 * Deployment configuration, read from the environment. Impossible values are refused with a
 * message naming the variable, the limit and the unit.
 *
 * @param port HTTP port ({@code CREDITLINE_PORT}, 8080; 0 picks a free one)
 * @param db {@code CREDITLINE_DB}: {@code sqlite:PATH} (default {@code creditline.db} in the data dir) or a {@code jdbc:postgresql://} URL
 * @param operatorKey {@code CREDITLINE_OPERATOR_KEY}; null: generated at first start and kept in the data dir
 * @param dataDir {@code CREDITLINE_DATA_DIR} ({@code ./data})
 * @param chargeScale {@code CREDITLINE_CHARGE_SCALE}: decimals kept in each event's charge, 0..6 (2)
 * @param creditsPerUsd {@code CREDITLINE_CREDITS_PER_USD}: credits per US dollar for rates given in USD (100)
 * @param meteringOn {@code CREDITLINE_METERING}: {@code on} (default) or {@code off} (everything recorded, nothing charged)
 * @param reservationTtlSeconds {@code CREDITLINE_RESERVATION_TTL_SECONDS}: how long an unsettled hold lives (600)
 * @param webhookRetryBaseMs {@code CREDITLINE_WEBHOOK_RETRY_BASE_MS}: first webhook retry delay, doubled per attempt (1000)
 * @param postgresWriters {@code CREDITLINE_POSTGRES_WRITERS}: batching writers on PostgreSQL, each with its own
 *     connection and its own share of the orgs (2); SQLite always has one
 * @param webhookPrivateAddresses {@code CREDITLINE_WEBHOOK_PRIVATE_ADDRESSES}: {@code allow} (default) or
 *     {@code deny} webhooks to loopback and private addresses
 */
public record Config(String host, int port, String db, String operatorKey, Path dataDir, int chargeScale,
                     BigDecimal creditsPerUsd, boolean meteringOn, long reservationTtlSeconds, long webhookRetryBaseMs,
                     int postgresWriters, boolean webhookPrivateAddresses) {

    /** A configuration value the program cannot run with; its message names the variable, the limit and the unit. */
    public static final class Invalid extends IllegalArgumentException {
        public Invalid(String message) {
            super(message);
        }
    }

    public static Config fromEnv(Map<String, String> env) {
        Path dataDir = Path.of(env.getOrDefault("CREDITLINE_DATA_DIR", "./data"));
        return new Config(
                env.getOrDefault("CREDITLINE_HOST", "0.0.0.0"),
                intIn(env, "CREDITLINE_PORT", 8080, 0, 65_535, "a TCP port"),
                db(blankToNull(env.get("CREDITLINE_DB")), dataDir),
                blankToNull(env.get("CREDITLINE_OPERATOR_KEY")),
                dataDir,
                intIn(env, "CREDITLINE_CHARGE_SCALE", 2, 0, 6, "decimals"),
                creditsPerUsd(env.getOrDefault("CREDITLINE_CREDITS_PER_USD", "100")),
                either(env, "CREDITLINE_METERING", "on", "off", "on"),
                intIn(env, "CREDITLINE_RESERVATION_TTL_SECONDS", 600, 1, 86_400, "seconds"),
                intIn(env, "CREDITLINE_WEBHOOK_RETRY_BASE_MS", 1_000, 1, 3_600_000, "milliseconds"),
                intIn(env, "CREDITLINE_POSTGRES_WRITERS", 2, 1, 16, "writers"),
                either(env, "CREDITLINE_WEBHOOK_PRIVATE_ADDRESSES", "allow", "deny", "allow"));
    }

    public Config withDb(String newDb) {
        return new Config(host, port, newDb, operatorKey, dataDir, chargeScale, creditsPerUsd, meteringOn, reservationTtlSeconds, webhookRetryBaseMs, postgresWriters, webhookPrivateAddresses);
    }

    public Config withPort(int newPort) {
        return new Config(host, newPort, db, operatorKey, dataDir, chargeScale, creditsPerUsd, meteringOn, reservationTtlSeconds, webhookRetryBaseMs, postgresWriters, webhookPrivateAddresses);
    }

    public Config withOperatorKey(String key) {
        return new Config(host, port, db, key, dataDir, chargeScale, creditsPerUsd, meteringOn, reservationTtlSeconds, webhookRetryBaseMs, postgresWriters, webhookPrivateAddresses);
    }

    public Config withPostgresWriters(int writers) {
        return new Config(host, port, db, operatorKey, dataDir, chargeScale, creditsPerUsd, meteringOn, reservationTtlSeconds, webhookRetryBaseMs, writers, webhookPrivateAddresses);
    }

    /** {@code CREDITLINE_DB}, or {@code creditline.db} in the data dir. */
    private static String db(String v, Path dataDir) {
        if (v == null) return "sqlite:" + dataDir.resolve("creditline.db");
        if ((v.startsWith("sqlite:") && v.length() > "sqlite:".length()) || v.startsWith("jdbc:postgresql:")) return v;
        throw new Invalid("CREDITLINE_DB must be sqlite:PATH or jdbc:postgresql://HOST:PORT/DB, got '" + v + "'");
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static int intIn(Map<String, String> env, String name, int otherwise, int min, int max, String unit) {
        String v = env.get(name);
        if (v == null || v.isBlank()) return otherwise;
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Invalid(name + " must be a whole number from " + min + " to " + max + " (" + unit + "), got '" + v + "'");
    }

    private static BigDecimal creditsPerUsd(String v) {
        try {
            BigDecimal d = new BigDecimal(v.trim());
            if (d.signum() > 0) return d;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new Invalid("CREDITLINE_CREDITS_PER_USD must be a positive decimal (credits per US dollar), got '" + v + "'");
    }

    /** A variable of two words: true for {@code yes}, false for {@code no}, {@code otherwise} when unset. */
    private static boolean either(Map<String, String> env, String name, String yes, String no, String otherwise) {
        String v = env.getOrDefault(name, otherwise);
        if (v.trim().equals(yes)) return true;
        if (v.trim().equals(no)) return false;
        throw new Invalid(name + " must be " + yes + " or " + no + ", got '" + v + "'");
    }
}
