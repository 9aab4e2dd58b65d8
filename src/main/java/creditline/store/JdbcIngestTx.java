package creditline.store;

import creditline.budget.Restrictions;
import creditline.ledger.CreditBucket;
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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link IngestTx} over the writer's open batch: events and reservation settlements are written
 * at once; ledger draws, totals, rollups and alerts go to the orgs' {@link OrgBook}s, written
 * once per batch.
 */
final class JdbcIngestTx implements IngestTx {
    private static final String EVENT_COLUMNS = """
            org_id, event_id, member_id, model_id, activity, occurred_at_micros,
              received_at_micros, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, tool_calls,
              rate_version, charged_micros, nominal_micros, unmetered_reason, reservation_id, agent, conversation,
              task, session, latency_ms, status, region, retries, iterations, external_calls, context_bytes, metadata, restricted,
              cache_write_1h_tokens, audio_input_tokens, audio_output_tokens, image_input_tokens, image_output_tokens""";
    static final int EVENT_PARAMS = 35;
    /** Rows per INSERT: one statement step per this many events instead of one per event. */
    static final int ROWS_PER_INSERT = 32;
    /** By number of rows. */
    private static final String[] INSERTS = new String[ROWS_PER_INSERT + 1];

    static {
        for (int rows = 1; rows <= ROWS_PER_INSERT; rows++) INSERTS[rows] = insertSql(rows);
    }

    /** Inserts {@code rows} events unless their (org, id) is stored; returns the keys of the rows it inserted. */
    static String insertSql(int rows) {
        String row = "(" + "?,".repeat(EVENT_PARAMS - 1) + "?)";
        return "INSERT INTO usage_events (" + EVENT_COLUMNS + ") VALUES " + String.join(",", java.util.Collections.nCopies(rows, row))
                + " ON CONFLICT (org_id, event_id) DO NOTHING RETURNING org_id, event_id";
    }

    private final WriteBatch batch;
    private final Connection tx;
    private final Catalog catalog;
    private final Instant now;

    JdbcIngestTx(WriteBatch batch, Catalog catalog, Instant now) {
        this.batch = batch;
        this.tx = batch.connection();
        this.catalog = catalog;
        this.now = now;
    }

    private OrgBook book(String orgId) {
        OrgBook b = batch.book(orgId);
        if (b == null) throw new IllegalStateException("org " + orgId + " has no book: it was not checked to exist");
        return b;
    }

    @Override
    public Map<String, Model> models(Set<String> modelIds) {
        return batch.models(catalog, modelIds);
    }

    @Override
    public Map<String, OrgRef> orgs(Set<String> orgIds) {
        Map<String, OrgRef> out = new HashMap<>();
        for (String id : orgIds) {
            OrgBook b = batch.book(id);
            if (b != null) out.put(id, b.ref());
        }
        return out;
    }

    @Override
    public Set<String> existingMembers(String orgId, Set<String> memberIds) {
        try {
            return book(orgId).existingMembers(tx, memberIds);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public boolean[] insertEvents(List<PricedEvent> events) {
        boolean[] inserted = new boolean[events.size()];
        if (events.isEmpty()) return inserted;
        long receivedMicros = Times.micros(now);
        Map<String, Integer> index = new HashMap<>(events.size() * 2);
        for (int i = 0; i < events.size(); i++) index.put(key(events.get(i).event().orgId(), events.get(i).event().id()), i);
        try {
            for (int from = 0; from < events.size(); from += ROWS_PER_INSERT) {
                int rows = Math.min(ROWS_PER_INSERT, events.size() - from);
                try (PreparedStatement ps = tx.prepareStatement(INSERTS[rows])) {
                    for (int r = 0; r < rows; r++) bindEvent(ps, events.get(from + r), receivedMicros, r * EVENT_PARAMS + 1);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) inserted[index.get(key(rs.getString(1), rs.getString(2)))] = true;
                    }
                }
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
        return inserted;
    }

    private static String key(String orgId, String eventId) {
        return orgId + '\u0000' + eventId;
    }

    /** Binds the event's {@value #EVENT_PARAMS} parameters from position {@code first} on. */
    static void bindEvent(PreparedStatement ps, PricedEvent p, long receivedMicros, int first) throws SQLException {
        UsageEvent e = p.event();
        UsageEvent.Details d = e.details();
        int i = first;
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
            return book(org.id()).bucketsFor(tx, catalog, periods, now);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void saveConsumption(String orgId, List<CreditBucket> changed) {
        book(orgId).drawn(changed);
    }

    @Override
    public void addPeriodTotals(String orgId, LocalDate periodStart, PeriodTotals delta) {
        book(orgId).addPeriodTotals(periodStart, delta);
    }

    @Override
    public Restrictions restrictions(String orgId, String memberId) {
        try {
            return book(orgId).restrictions(tx, memberId);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void addMemberConsumption(String orgId, LocalDate periodStart, String memberId, long events, long consumedMicros) {
        book(orgId).addMemberConsumption(periodStart, memberId, events, consumedMicros);
    }

    @Override
    public void settleReservation(String orgId, String reservationId, String eventId) {
        try {
            book(orgId).settleHold(tx, reservationId, eventId, now);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void raiseAlerts(OrgRef org, Set<LocalDate> periods, Set<String> memberIds) {
        book(org.id()).raiseAlerts(periods, memberIds, now);
    }

    @Override
    public void addRollups(String orgId, List<RollupDelta> deltas) {
        book(orgId).addRollups(deltas);
    }
}
