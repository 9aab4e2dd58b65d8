package creditline.store;

import creditline.plan.Plan;
import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** SQL for the deployment-wide catalog: plans, models and their rate versions. */
final class Catalog {
    /** The rate columns of rate_versions, in the order of {@link #rateValues} (tier_rule is read and written apart). */
    private static final List<String> RATE_COLUMNS = List.of("input_per_1m_micros", "output_per_1m_micros",
            "cache_write_per_1m_micros", "cache_read_per_1m_micros", "cached_input_per_1m_micros", "per_request_micros",
            "per_tool_call_micros", "cache_write_1h_per_1m_micros", "audio_input_per_1m_micros", "audio_output_per_1m_micros",
            "image_input_per_1m_micros", "image_output_per_1m_micros", "tier_threshold_tokens", "tier_input_per_1m_micros",
            "tier_output_per_1m_micros", "tier_cache_write_per_1m_micros", "tier_cache_write_1h_per_1m_micros",
            "tier_cache_read_per_1m_micros");

    /** Positions in {@link #MODEL_SELECT}: the tier rule, then the rate columns in {@link #RATE_COLUMNS} order. */
    private static final int TIER_RULE_POSITION = 7, FIRST_RATE_POSITION = 8;
    private static final String MODEL_SELECT = "SELECT m.model_id, m.name, m.provider, r.unmetered, r.version, r.effective_from_micros, r.tier_rule, "
            + String.join(", ", RATE_COLUMNS.stream().map(col -> "r." + col).toList())
            + " FROM models m LEFT JOIN rate_versions r ON r.model_id = m.model_id";

    private static final String INSERT_VERSION = "INSERT INTO rate_versions (model_id, version, effective_from_micros, created_at_micros, unmetered, tier_rule, "
            + String.join(", ", RATE_COLUMNS) + ") VALUES (?,?,?,?,?,?" + ",?".repeat(RATE_COLUMNS.size()) + ")";

    /** Models by id, with all their rate versions; ids that do not exist are absent. */
    Map<String, Model> models(Connection c, Collection<String> ids) {
        if (ids.isEmpty()) return Map.of();
        try {
            return modelsQuery(ids).run(c);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    /** {@link #models} as a {@link Query} (ids not empty). */
    static Query<Map<String, Model>> modelsQuery(Collection<String> ids) {
        List<String> list = List.copyOf(ids);
        return new Query<>(MODEL_SELECT + " WHERE m.model_id IN (" + Query.parameters(list.size()) + ") ORDER BY m.model_id, r.version",
                (ps, first) -> {
                    for (String id : list) ps.setString(first++, id);
                    return first;
                }, Catalog::readModels);
    }

    List<Model> allModels(Connection c) {
        try (PreparedStatement ps = c.prepareStatement(MODEL_SELECT + " ORDER BY m.model_id, r.version")) {
            return new ArrayList<>(readModels(ps).values());
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    private static Map<String, Model> readModels(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return readModels(rs);
        }
    }

    private static Map<String, Model> readModels(ResultSet rs) throws SQLException {
        record Head(String id, String name, String provider, List<RateVersion> versions) {}
        Map<String, Head> heads = new LinkedHashMap<>();
        while (rs.next()) {
            String id = rs.getString(1);
            Head h = heads.get(id);
            if (h == null) {
                h = new Head(id, rs.getString(2), rs.getString(3), new ArrayList<>());
                heads.put(id, h);
            }
            int version = rs.getInt(5);
            if (rs.wasNull()) continue;
            h.versions().add(new RateVersion(version, Times.instant(rs.getLong(6)), readRates(rs), rs.getBoolean(4)));
        }
        Map<String, Model> out = new LinkedHashMap<>();
        heads.forEach((id, h) -> out.put(id, new Model(h.id(), h.name(), h.provider(), h.versions())));
        return out;
    }

    private static Rates readRates(ResultSet rs) throws SQLException {
        Long[] v = new Long[RATE_COLUMNS.size()];
        for (int i = 0; i < v.length; i++) v[i] = Times.longOrNull(rs, FIRST_RATE_POSITION + i);
        Rates.Tier tier = v[12] == null ? null
                : new Rates.Tier(v[12], Rates.TierRule.valueOf(rs.getString(TIER_RULE_POSITION)), v[13], v[14], v[15], v[16], v[17]);
        return new Rates(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], new Rates.Modality(v[8], v[9], v[10], v[11]), tier);
    }

    /** The values of {@link #RATE_COLUMNS} for {@code r}. */
    private static Long[] rateValues(Rates r) {
        Rates.Modality m = r.modality();
        Rates.Tier t = r.tier();
        return new Long[] {r.inputPer1MMicros(), r.outputPer1MMicros(), r.cacheWritePer1MMicros(), r.cacheReadPer1MMicros(),
                r.cachedInputPer1MMicros(), r.perRequestMicros(), r.perToolCallMicros(), r.cacheWrite1hPer1MMicros(),
                m.audioInputPer1MMicros(), m.audioOutputPer1MMicros(), m.imageInputPer1MMicros(), m.imageOutputPer1MMicros(),
                t == null ? null : t.thresholdTokens(), t == null ? null : t.inputPer1MMicros(), t == null ? null : t.outputPer1MMicros(),
                t == null ? null : t.cacheWritePer1MMicros(), t == null ? null : t.cacheWrite1hPer1MMicros(),
                t == null ? null : t.cacheReadPer1MMicros()};
    }

    /** Writes the model's head and appends a rate version; returns the model as stored. */
    Model putModel(Connection c, String id, String name, String provider, boolean unmetered, Rates rates, Instant effectiveFrom, Instant now)
            throws SQLException {
        appendVersion(c, id, name, provider, unmetered, rates, effectiveFrom, now);
        return models(c, List.of(id)).get(id);
    }

    /** Writes the model's head (name, provider) and appends a rate version; returns the new version's number. */
    int appendVersion(Connection c, String id, String name, String provider, boolean unmetered, Rates rates, Instant effectiveFrom, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO models (model_id, name, provider, updated_at_micros) VALUES (?,?,?,?)
                ON CONFLICT (model_id) DO UPDATE SET name = excluded.name, provider = excluded.provider,
                  updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, provider);
            ps.setLong(4, Times.micros(now));
            ps.executeUpdate();
        }
        int version;
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(version), 0) + 1 FROM rate_versions WHERE model_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                version = rs.getInt(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_VERSION)) {
            ps.setString(1, id);
            ps.setInt(2, version);
            ps.setLong(3, Times.micros(effectiveFrom));
            ps.setLong(4, Times.micros(now));
            ps.setBoolean(5, unmetered);
            ps.setString(6, rates.tier() == null ? null : rates.tier().rule().name());
            Long[] values = rateValues(rates);
            for (int i = 0; i < values.length; i++) Times.setLong(ps, 7 + i, values[i]);
            ps.executeUpdate();
        }
        return version;
    }

    Plan plan(Connection c, String planId) throws SQLException {
        List<Plan> plans = plans(c, planId);
        return plans.isEmpty() ? null : plans.get(0);
    }

    /** All plans, or the one with {@code onlyId}. */
    List<Plan> plans(Connection c, String onlyId) throws SQLException {
        String sql = "SELECT plan_id, name, monthly_price_minor, currency, credits_included_micros, tokens_included, overage,"
                + " overage_price_per_credit_minor_micros, features, rollover FROM plans"
                + (onlyId == null ? " ORDER BY credits_included_micros, plan_id" : " WHERE plan_id = ?");
        List<Plan> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            if (onlyId != null) ps.setString(1, onlyId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String features = rs.getString(9);
                    out.add(new Plan(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getLong(5),
                            Times.longOrNull(rs, 6), Plan.Overage.valueOf(rs.getString(7)),
                            Times.longOrNull(rs, 8),
                            features.isEmpty() ? List.of() : Arrays.asList(features.split("\n")), rs.getBoolean(10)));
                }
            }
        }
        return out;
    }

    /**
     * The ids of the orgs on the plan; on PostgreSQL their rows locked in id order (as writers lock
     * them: no deadlock with one). SQLite has one writer.
     */
    List<String> lockOrgsOnPlan(Connection c, String planId, boolean postgres) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT org_id FROM orgs WHERE plan_id = ? ORDER BY org_id" + (postgres ? " FOR UPDATE" : ""))) {
            ps.setString(1, planId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Writes the plan and bumps the versions of the orgs on it, telling {@code bumped} each org's new version. */
    void putPlan(Connection c, Plan p, Instant now, java.util.function.ObjLongConsumer<String> bumped) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO plans (plan_id, name, monthly_price_minor, currency, credits_included_micros, tokens_included, overage,
                  overage_price_per_credit_minor_micros, features, rollover, updated_at_micros) VALUES (?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (plan_id) DO UPDATE SET name = excluded.name, monthly_price_minor = excluded.monthly_price_minor,
                  currency = excluded.currency, credits_included_micros = excluded.credits_included_micros,
                  tokens_included = excluded.tokens_included, overage = excluded.overage,
                  overage_price_per_credit_minor_micros = excluded.overage_price_per_credit_minor_micros,
                  features = excluded.features, rollover = excluded.rollover, updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, p.id());
            ps.setString(2, p.name());
            ps.setLong(3, p.monthlyPriceMinor());
            ps.setString(4, p.currency());
            ps.setLong(5, p.creditsIncludedMicros());
            Times.setLong(ps, 6, p.tokensIncluded());
            ps.setString(7, p.overage().name());
            Times.setLong(ps, 8, p.overagePricePerCreditMinorMicros());
            ps.setString(9, String.join("\n", p.features()));
            ps.setBoolean(10, p.rollover());
            ps.setLong(11, Times.micros(now));
            ps.executeUpdate();
        }
        // The plan's orgs decide by it: their cached decision snapshots must go (see DecisionCache).
        try (PreparedStatement ps = c.prepareStatement("UPDATE orgs SET state_version = state_version + 1 WHERE plan_id = ? RETURNING org_id, state_version")) {
            ps.setString(1, p.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) bumped.accept(rs.getString(1), rs.getLong(2));
            }
        }
    }
}
