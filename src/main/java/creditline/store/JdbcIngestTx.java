package creditline.store;

import creditline.budget.Restrictions;
import creditline.ledger.CreditBucket;
import creditline.pricing.Model;
import creditline.usage.IngestTx;
import creditline.usage.LifetimeUsage;
import creditline.usage.OrgRef;
import creditline.usage.PeriodTotals;
import creditline.usage.PricedEvent;
import creditline.usage.RollupDelta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
    /** A column of usage_events: its name, its type, and its value for an event received at a time. */
    private record EventColumn(String name, BulkWrites.Type type, Value value) {
        interface Value {
            Object of(PricedEvent p, long receivedMicros);
        }
    }

    private static EventColumn text(String name, java.util.function.Function<PricedEvent, String> value) {
        return new EventColumn(name, BulkWrites.Type.TEXT, (p, received) -> value.apply(p));
    }

    private static EventColumn bigint(String name, EventColumn.Value value) {
        return new EventColumn(name, BulkWrites.Type.BIGINT, value);
    }

    /** The columns an event is stored in, in order. */
    private static final List<EventColumn> EVENT_COLUMNS = List.of(
            text("org_id", p -> p.event().orgId()),
            text("event_id", p -> p.event().id()),
            text("member_id", p -> p.event().memberId()),
            text("model_id", p -> p.event().modelId()),
            text("activity", p -> p.event().activity()),
            bigint("occurred_at_micros", (p, r) -> Times.micros(p.event().occurredAt())),
            bigint("received_at_micros", (p, r) -> r),
            bigint("input_tokens", (p, r) -> p.event().tokens().input()),
            bigint("output_tokens", (p, r) -> p.event().tokens().output()),
            bigint("cache_write_tokens", (p, r) -> p.event().tokens().cacheWrite()),
            bigint("cache_read_tokens", (p, r) -> p.event().tokens().cacheRead()),
            bigint("tool_calls", (p, r) -> p.event().toolCalls()),
            bigint("rate_version", (p, r) -> p.rateVersion() == null ? null : (long) p.rateVersion()),
            bigint("charged_micros", (p, r) -> p.chargedMicros()),
            bigint("nominal_micros", (p, r) -> p.nominalMicros()),
            text("unmetered_reason", PricedEvent::unmeteredReason),
            text("reservation_id", p -> p.event().reservationId()),
            text("agent", p -> p.event().details().agent()),
            text("conversation", p -> p.event().details().conversation()),
            text("task", p -> p.event().details().task()),
            text("session", p -> p.event().details().session()),
            bigint("latency_ms", (p, r) -> p.event().details().latencyMs()),
            text("status", p -> p.event().details().status()),
            text("region", p -> p.event().details().region()),
            bigint("retries", (p, r) -> p.event().details().retries()),
            bigint("iterations", (p, r) -> p.event().details().iterations()),
            bigint("external_calls", (p, r) -> p.event().details().externalCalls()),
            bigint("context_bytes", (p, r) -> p.event().details().contextBytes()),
            text("metadata", p -> p.event().details().metadataJson()),
            new EventColumn("restricted", BulkWrites.Type.BOOLEAN, (p, r) -> p.restricted()),
            bigint("cache_write_1h_tokens", (p, r) -> p.event().tokens().cacheWrite1h()),
            bigint("audio_input_tokens", (p, r) -> p.event().tokens().audioInput()),
            bigint("audio_output_tokens", (p, r) -> p.event().tokens().audioOutput()),
            bigint("image_input_tokens", (p, r) -> p.event().tokens().imageInput()),
            bigint("image_output_tokens", (p, r) -> p.event().tokens().imageOutput()));
    static final int EVENT_PARAMS = EVENT_COLUMNS.size();
    /** A stored (org, id) is skipped: the event is a duplicate. */
    private static final String ON_CONFLICT = " ON CONFLICT (org_id, event_id) DO NOTHING";
    /** PostgreSQL: the events it inserted, so that the others are known to be duplicates. */
    private static final String INSERTED = ON_CONFLICT + " RETURNING org_id, event_id";
    /** SQLite: rows per INSERT, one statement step per this many events instead of one per event. */
    static final int ROWS_PER_INSERT = 32;
    /** SQLite: by number of rows. */
    private static final String[] INSERTS = new String[ROWS_PER_INSERT + 1];
    /** SQLite: the keys of the newest rows, for a statement that skipped some of its rows. */
    private static final String NEWEST_ROWS = "SELECT org_id, event_id FROM usage_events ORDER BY rowid DESC LIMIT ?";
    private static final String STORED = "SELECT 1 FROM usage_events WHERE org_id = ? AND event_id = ?";
    private static final String LIFETIME_USAGE = "SELECT COALESCE(SUM(events), 0), COALESCE(SUM(consumed_micros), 0),"
            + " COALESCE(SUM(overage_micros), 0), COALESCE(SUM(nominal_micros), 0), COALESCE(SUM(input_tokens), 0),"
            + " COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cache_write_tokens), 0), COALESCE(SUM(cache_read_tokens), 0)"
            + " FROM usage_periods WHERE org_id = ?";
    /** PostgreSQL: all the events of a batch in one statement, one array per column, unnested side by side. */
    private static final String UNNESTED_INSERT = BulkWrites.insertSideBySide("usage_events", columnDefinitions(), INSERTED);

    static {
        for (int rows = 1; rows <= ROWS_PER_INSERT; rows++) INSERTS[rows] = insertSql(rows, true);
    }

    private static String columnDefinitions() {
        StringBuilder b = new StringBuilder();
        for (EventColumn c : EVENT_COLUMNS) b.append(b.isEmpty() ? "" : ", ").append(c.name()).append(' ').append(c.type());
        return b.toString();
    }

    /**
     * Inserts {@code rows} events unless their (org, id) is stored. SQLite: {@code INSERT OR
     * IGNORE}, whose count of rows changed tells whether any was skipped (see {@link
     * #insertEvents}); it costs ~5 µs per row less than {@code ON CONFLICT DO NOTHING RETURNING}
     * (BENCHMARKS.md, Ingest). PostgreSQL (the benchmark's raw inserts): {@code ON CONFLICT DO NOTHING}.
     */
    static String insertSql(int rows, boolean sqlite) {
        String row = "(" + Query.parameters(EVENT_PARAMS) + ")";
        return (sqlite ? "INSERT OR IGNORE INTO" : "INSERT INTO") + " usage_events ("
                + String.join(", ", EVENT_COLUMNS.stream().map(EventColumn::name).toList()) + ") VALUES "
                + String.join(",", java.util.Collections.nCopies(rows, row)) + (sqlite ? "" : ON_CONFLICT);
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
        try {
            if (batch.postgres()) {
                try (PreparedStatement ps = tx.prepareStatement(UNNESTED_INSERT)) {
                    for (int c = 0; c < EVENT_PARAMS; c++) {
                        EventColumn column = EVENT_COLUMNS.get(c);
                        BulkWrites.bindArray(ps, c + 1, column.type(), events.size(), i -> column.value().of(events.get(i), receivedMicros));
                    }
                    readInserted(ps, positions(events, 0, events.size()), inserted);
                }
                return inserted;
            }
            for (int from = 0; from < events.size(); from += ROWS_PER_INSERT) {
                int rows = Math.min(ROWS_PER_INSERT, events.size() - from);
                int changed;
                try (PreparedStatement ps = tx.prepareStatement(INSERTS[rows])) {
                    for (int r = 0; r < rows; r++) bindEvent(ps, events.get(from + r), receivedMicros, r * EVENT_PARAMS + 1);
                    changed = ps.executeUpdate();
                }
                if (changed == rows) {
                    java.util.Arrays.fill(inserted, from, from + rows, true);
                } else {
                    markSkipped(events, from, rows, changed, inserted);
                }
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
        return inserted;
    }

    /**
     * SQLite, after an {@code INSERT OR IGNORE} of the {@code rows} events from {@code from} that
     * inserted only {@code changed} of them: marks those it inserted. They are the table's newest
     * rows (SQLite gives a new row the largest rowid plus one, and nothing else writes meanwhile);
     * should that ever not hold, the post fails rather than leave an inserted event uncharged.
     * Every row it skipped must be stored already (a duplicate, or one inserted earlier in the
     * batch); one that is not was refused by another constraint, which OR IGNORE would otherwise hide.
     */
    private void markSkipped(List<PricedEvent> events, int from, int rows, int changed, boolean[] inserted) throws SQLException {
        if (changed > 0) {
            Map<String, Integer> chunk = positions(events, from, rows);
            try (PreparedStatement ps = tx.prepareStatement(NEWEST_ROWS)) {
                ps.setInt(1, changed);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Integer at = chunk.get(key(rs.getString(1), rs.getString(2)));
                        if (at == null || inserted[at]) {
                            throw new IllegalStateException("the newest event rows are not the ones this statement inserted");
                        }
                        inserted[at] = true;
                    }
                }
            }
        }
        try (PreparedStatement ps = tx.prepareStatement(STORED)) {
            for (int at = from; at < from + rows; at++) {
                if (inserted[at]) continue;
                PricedEvent p = events.get(at);
                ps.setString(1, p.event().orgId());
                ps.setString(2, p.event().id());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) throw new IllegalStateException("event " + p.event().id() + " of org " + p.event().orgId() + " was not stored");
                }
            }
        }
    }

    /** The positions of {@code events} [from, from + rows) by their (org, id) key: distinct, as the ingester gives them. */
    private static Map<String, Integer> positions(List<PricedEvent> events, int from, int rows) {
        Map<String, Integer> out = new HashMap<>(rows * 2);
        for (int i = from; i < from + rows; i++) out.put(key(events.get(i).event().orgId(), events.get(i).event().id()), i);
        return out;
    }

    /** Runs the insert and marks the events (by their position in {@code index}) it returns as inserted. */
    private static void readInserted(PreparedStatement ps, Map<String, Integer> index, boolean[] inserted) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) inserted[index.get(key(rs.getString(1), rs.getString(2)))] = true;
        }
    }

    private static String key(String orgId, String eventId) {
        return orgId + '\u0000' + eventId;
    }

    /** Binds the event's {@value #EVENT_PARAMS} parameters from position {@code first} on. */
    static void bindEvent(PreparedStatement ps, PricedEvent p, long receivedMicros, int first) throws SQLException {
        for (int c = 0; c < EVENT_PARAMS; c++) {
            EventColumn column = EVENT_COLUMNS.get(c);
            BulkWrites.bind(ps, first + c, column.type(), column.value().of(p, receivedMicros));
        }
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
    public LifetimeUsage lifetimeUsage(String orgId) {
        try (PreparedStatement ps = tx.prepareStatement(LIFETIME_USAGE)) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new LifetimeUsage(new PeriodTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                        rs.getLong(6), rs.getLong(7), rs.getLong(8)));
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
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
    public void settleReservation(String orgId, String reservationId, String memberId, String eventId) {
        try {
            book(orgId).settleHold(tx, reservationId, memberId, eventId, now);
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    @Override
    public void raiseAlerts(OrgRef org, Map<LocalDate, Set<String>> membersByPeriod) {
        book(org.id()).raiseAlerts(membersByPeriod, now);
    }

    @Override
    public void addRollups(String orgId, List<RollupDelta> deltas) {
        book(orgId).addRollups(deltas);
    }
}
