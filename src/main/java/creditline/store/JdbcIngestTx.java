package creditline.store;

import creditline.budget.Restrictions;
import creditline.ledger.CreditBucket;
import creditline.ledger.PlanAllotment;
import creditline.plan.Plan;
import creditline.plan.Periods;
import creditline.pricing.Model;
import creditline.usage.IngestTx;
import creditline.usage.OrgRef;
import creditline.usage.PeriodTotals;
import creditline.usage.PricedEvent;
import creditline.usage.RollupDelta;
import creditline.usage.UsageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link IngestTx} over the writer's open transaction. */
final class JdbcIngestTx implements IngestTx {
    /** Bound on the number of ids in one IN (...) list. */
    private static final int IN_LIST_MAX = 500;

    static final String INSERT_EVENT = """
            INSERT INTO usage_events (org_id, event_id, member_id, model_id, activity, occurred_at_micros,
              received_at_micros, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, tool_calls,
              rate_version, charged_micros, nominal_micros, unmetered_reason, reservation_id, agent, conversation,
              task, session, latency_ms, status, region, retries, iterations, external_calls, context_bytes, metadata, restricted,
              cache_write_1h_tokens, audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
            ON CONFLICT (org_id, event_id) DO NOTHING""";

    private final Connection tx;
    private final Catalog catalog;
    private final Instant now;
    private final Map<String, Restrictions> restrictions = new HashMap<>();

    JdbcIngestTx(Connection tx, Catalog catalog, Instant now) {
        this.tx = tx;
        this.catalog = catalog;
        this.now = now;
    }

    @Override
    public Map<String, Model> models(Set<String> modelIds) {
        return catalog.models(tx, modelIds);
    }

    @Override
    public Map<String, OrgRef> orgs(Set<String> orgIds) {
        Map<String, OrgRef> out = new HashMap<>();
        try (PreparedStatement ps = tx.prepareStatement("SELECT org_id, plan_id, status, created_at_micros FROM orgs WHERE org_id = ?")) {
            for (String id : orgIds) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) out.put(id, new OrgRef(id, rs.getString(2), rs.getString(3), Times.instant(rs.getLong(4))));
                }
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
        return out;
    }

    @Override
    public Set<String> existingMembers(String orgId, Set<String> memberIds) {
        Set<String> out = new HashSet<>();
        List<String> ids = new ArrayList<>(memberIds);
        try {
            for (int from = 0; from < ids.size(); from += IN_LIST_MAX) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_MAX));
                String sql = "SELECT member_id FROM members WHERE org_id = ? AND member_id IN (" + "?,".repeat(chunk.size() - 1) + "?)";
                try (PreparedStatement ps = tx.prepareStatement(sql)) {
                    ps.setString(1, orgId);
                    for (int i = 0; i < chunk.size(); i++) ps.setString(i + 2, chunk.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) out.add(rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
        return out;
    }

    @Override
    public boolean[] insertEvents(List<PricedEvent> events) {
        boolean[] inserted = new boolean[events.size()];
        if (events.isEmpty()) return inserted;
        long receivedMicros = Times.micros(now);
        try (PreparedStatement ps = tx.prepareStatement(INSERT_EVENT)) {
            for (PricedEvent p : events) {
                bindEvent(ps, p, receivedMicros);
                ps.addBatch();
            }
            int[] counts = ps.executeBatch();
            for (int i = 0; i < counts.length; i++) inserted[i] = counts[i] > 0;
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
        return inserted;
    }

    static void bindEvent(PreparedStatement ps, PricedEvent p, long receivedMicros) throws SQLException {
        UsageEvent e = p.event();
        UsageEvent.Details d = e.details();
        int i = 1;
        ps.setString(i++, e.orgId());
        ps.setString(i++, e.id());
        ps.setString(i++, e.memberId());
        ps.setString(i++, e.modelId());
        ps.setString(i++, e.activity());
        ps.setLong(i++, Times.micros(e.occurredAt()));
        ps.setLong(i++, receivedMicros);
        ps.setLong(i++, e.tokens().input());
        ps.setLong(i++, e.tokens().output());
        ps.setLong(i++, e.tokens().cacheWrite());
        ps.setLong(i++, e.tokens().cacheRead());
        ps.setLong(i++, e.toolCalls());
        if (p.rateVersion() == null) ps.setNull(i++, Types.INTEGER);
        else ps.setInt(i++, p.rateVersion());
        ps.setLong(i++, p.chargedMicros());
        ps.setLong(i++, p.nominalMicros());
        ps.setString(i++, p.unmeteredReason());
        ps.setString(i++, e.reservationId());
        ps.setString(i++, d.agent());
        ps.setString(i++, d.conversation());
        ps.setString(i++, d.task());
        ps.setString(i++, d.session());
        Times.setLong(ps, i++, d.latencyMs());
        ps.setString(i++, d.status());
        ps.setString(i++, d.region());
        Times.setLong(ps, i++, d.retries());
        Times.setLong(ps, i++, d.iterations());
        Times.setLong(ps, i++, d.externalCalls());
        Times.setLong(ps, i++, d.contextBytes());
        ps.setString(i++, d.metadataJson());
        ps.setBoolean(i++, p.restricted());
        ps.setLong(i++, e.tokens().cacheWrite1h());
        ps.setLong(i++, e.tokens().audioInput());
        ps.setLong(i++, e.tokens().audioOutput());
        ps.setLong(i++, e.tokens().imageInput());
        ps.setLong(i, e.tokens().imageOutput());
    }

    @Override
    public Map<String, Long> chargedMicros(String orgId, Collection<String> eventIds) {
        Map<String, Long> out = new HashMap<>();
        try (PreparedStatement ps = tx.prepareStatement("SELECT charged_micros FROM usage_events WHERE org_id = ? AND event_id = ?")) {
            ps.setString(1, orgId);
            for (String id : eventIds) {
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) out.put(id, rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
        return out;
    }

    @Override
    public List<CreditBucket> bucketsFor(OrgRef org, Set<LocalDate> periods) {
        try {
            // A plan allotment exists from the org's first month on; earlier (late) usage is overage.
            LocalDate firstPeriod = Periods.periodStart(org.createdAt());
            Plan plan = null;
            for (LocalDate period : periods) {
                if (period.isBefore(firstPeriod) || Ledger.bucket(tx, org.id(), PlanAllotment.bucketId(period)) != null) continue;
                if (plan == null) plan = catalog.plan(tx, org.planId());
                Ledger.ensurePlanBucket(tx, org.id(), plan, period, now);
            }
            Instant from = null;
            Instant to = null;
            for (LocalDate p : periods) {
                Instant s = Periods.startInstant(p);
                Instant e = Periods.endInstant(p);
                if (from == null || s.isBefore(from)) from = s;
                if (to == null || e.isAfter(to)) to = e;
            }
            return Ledger.bucketsOverlapping(tx, org.id(), from, to);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void saveConsumption(String orgId, List<CreditBucket> changed) {
        try (PreparedStatement ps = tx.prepareStatement(
                "UPDATE credit_buckets SET consumed_micros = ? WHERE org_id = ? AND bucket_id = ?")) {
            for (CreditBucket b : changed) {
                ps.setLong(1, b.consumedMicros());
                ps.setString(2, orgId);
                ps.setString(3, b.id());
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void addPeriodTotals(String orgId, LocalDate periodStart, PeriodTotals d) {
        try (PreparedStatement ps = tx.prepareStatement("""
                INSERT INTO usage_periods (org_id, period_start, events, consumed_micros, overage_micros, nominal_micros,
                  input_tokens, output_tokens, cache_write_tokens, cache_read_tokens)
                VALUES (?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (org_id, period_start) DO UPDATE SET
                  events = usage_periods.events + excluded.events,
                  consumed_micros = usage_periods.consumed_micros + excluded.consumed_micros,
                  overage_micros = usage_periods.overage_micros + excluded.overage_micros,
                  nominal_micros = usage_periods.nominal_micros + excluded.nominal_micros,
                  input_tokens = usage_periods.input_tokens + excluded.input_tokens,
                  output_tokens = usage_periods.output_tokens + excluded.output_tokens,
                  cache_write_tokens = usage_periods.cache_write_tokens + excluded.cache_write_tokens,
                  cache_read_tokens = usage_periods.cache_read_tokens + excluded.cache_read_tokens""")) {
            int i = 1;
            ps.setString(i++, orgId);
            ps.setString(i++, periodStart.toString());
            ps.setLong(i++, d.events());
            ps.setLong(i++, d.consumedMicros());
            ps.setLong(i++, d.overageMicros());
            ps.setLong(i++, d.nominalMicros());
            ps.setLong(i++, d.inputTokens());
            ps.setLong(i++, d.outputTokens());
            ps.setLong(i++, d.cacheWriteTokens());
            ps.setLong(i, d.cacheReadTokens());
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public Restrictions restrictions(String orgId, String memberId) {
        return restrictions.computeIfAbsent(orgId + '\u0000' + memberId, k -> {
            try {
                return Enforcement.restrictions(tx, orgId, memberId);
            } catch (SQLException e) {
                throw new StoreFailure(e);
            }
        });
    }

    @Override
    public void addMemberConsumption(String orgId, LocalDate periodStart, String memberId, long events, long consumedMicros) {
        try {
            Enforcement.addMemberConsumption(tx, orgId, periodStart, memberId, events, consumedMicros);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void settleReservation(String orgId, String reservationId, String eventId) {
        try {
            Reservations.settle(tx, orgId, reservationId, eventId, now);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void raiseAlerts(OrgRef org, Set<LocalDate> periods, Set<String> memberIds, List<CreditBucket> buckets) {
        try {
            Alerts.raise(tx, org.id(), periods, memberIds, buckets, now);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void addRollups(String orgId, List<RollupDelta> deltas) {
        try {
            Rollups.add(tx, orgId, deltas);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }
}
