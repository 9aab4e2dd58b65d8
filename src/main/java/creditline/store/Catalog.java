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
    private static final String MODEL_SELECT = """
            SELECT m.model_id, m.name, m.provider, m.unmetered, r.version, r.effective_from_micros,
              r.input_per_1m_micros, r.output_per_1m_micros, r.cache_write_per_1m_micros, r.cache_read_per_1m_micros,
              r.cached_input_per_1m_micros, r.per_request_micros, r.per_tool_call_micros
            FROM models m LEFT JOIN rate_versions r ON r.model_id = m.model_id""";

    /** Models by id, with all their rate versions; ids that do not exist are absent. */
    Map<String, Model> models(Connection c, Collection<String> ids) {
        if (ids.isEmpty()) return Map.of();
        String sql = MODEL_SELECT + " WHERE m.model_id IN (" + "?,".repeat(ids.size() - 1) + "?) ORDER BY m.model_id, r.version";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            for (String id : ids) ps.setString(i++, id);
            return readModels(ps);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    List<Model> allModels(Connection c) {
        try (PreparedStatement ps = c.prepareStatement(MODEL_SELECT + " ORDER BY m.model_id, r.version")) {
            return new ArrayList<>(readModels(ps).values());
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    private static Map<String, Model> readModels(PreparedStatement ps) throws SQLException {
        record Head(String id, String name, String provider, boolean unmetered, List<RateVersion> versions) {}
        Map<String, Head> heads = new LinkedHashMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                Head h = heads.get(id);
                if (h == null) {
                    h = new Head(id, rs.getString(2), rs.getString(3), rs.getBoolean(4), new ArrayList<>());
                    heads.put(id, h);
                }
                int version = rs.getInt(5);
                if (rs.wasNull()) continue;
                h.versions().add(new RateVersion(version, Times.instant(rs.getLong(6)), new Rates(
                        Times.longOrNull(rs, "input_per_1m_micros"), Times.longOrNull(rs, "output_per_1m_micros"),
                        Times.longOrNull(rs, "cache_write_per_1m_micros"), Times.longOrNull(rs, "cache_read_per_1m_micros"),
                        Times.longOrNull(rs, "cached_input_per_1m_micros"), Times.longOrNull(rs, "per_request_micros"),
                        Times.longOrNull(rs, "per_tool_call_micros"))));
            }
        }
        Map<String, Model> out = new LinkedHashMap<>();
        heads.forEach((id, h) -> out.put(id, new Model(h.id(), h.name(), h.provider(), h.unmetered(), h.versions())));
        return out;
    }

    /** Writes the model's head and appends a rate version; returns the model as stored. */
    Model putModel(Connection c, String id, String name, String provider, boolean unmetered, Rates rates, Instant effectiveFrom, Instant now)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO models (model_id, name, provider, unmetered, updated_at_micros) VALUES (?,?,?,?,?)
                ON CONFLICT (model_id) DO UPDATE SET name = excluded.name, provider = excluded.provider,
                  unmetered = excluded.unmetered, updated_at_micros = excluded.updated_at_micros""")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, provider);
            ps.setBoolean(4, unmetered);
            ps.setLong(5, Times.micros(now));
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
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO rate_versions (model_id, version, effective_from_micros, input_per_1m_micros, output_per_1m_micros,
                  cache_write_per_1m_micros, cache_read_per_1m_micros, cached_input_per_1m_micros, per_request_micros,
                  per_tool_call_micros, created_at_micros) VALUES (?,?,?,?,?,?,?,?,?,?,?)""")) {
            ps.setString(1, id);
            ps.setInt(2, version);
            ps.setLong(3, Times.micros(effectiveFrom));
            Long[] values = {rates.inputPer1MMicros(), rates.outputPer1MMicros(), rates.cacheWritePer1MMicros(),
                    rates.cacheReadPer1MMicros(), rates.cachedInputPer1MMicros(), rates.perRequestMicros(), rates.perToolCallMicros()};
            for (int i = 0; i < values.length; i++) Times.setLong(ps, 4 + i, values[i]);
            ps.setLong(11, Times.micros(now));
            ps.executeUpdate();
        }
        return models(c, List.of(id)).get(id);
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
                            Times.longOrNull(rs, "tokens_included"), Plan.Overage.valueOf(rs.getString(7)),
                            Times.longOrNull(rs, "overage_price_per_credit_minor_micros"),
                            features.isEmpty() ? List.of() : Arrays.asList(features.split("\n")), rs.getBoolean(10)));
                }
            }
        }
        return out;
    }

    void putPlan(Connection c, Plan p, Instant now) throws SQLException {
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
    }
}
