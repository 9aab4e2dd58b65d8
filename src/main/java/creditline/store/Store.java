package creditline.store;

import creditline.analytics.BudgetUpload;
import creditline.analytics.DateRange;
import creditline.analytics.EventFilter;
import creditline.analytics.MemberQuery;
import creditline.analytics.MemberUsage;
import creditline.analytics.UsageSummary;
import creditline.auth.Keys;
import creditline.auth.Member;
import creditline.auth.Principal;
import creditline.auth.Role;
import creditline.budget.AuthState;
import creditline.budget.Authorizer;
import creditline.budget.BudgetSettings;
import creditline.budget.Decision;
import creditline.budget.Restrictions;
import creditline.common.Failure;
import creditline.ledger.CreditBucket;
import creditline.ledger.Drawdown;
import creditline.plan.Balance;
import creditline.plan.Org;
import creditline.plan.Periods;
import creditline.plan.Plan;
import creditline.plan.Subscription;
import creditline.pricing.Model;
import creditline.pricing.Rates;
import creditline.usage.EventOutcome;
import creditline.usage.Ingester;
import creditline.usage.PricedEvent;
import creditline.usage.UsageEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Creditline's storage facade: every write goes through a {@link BatchingWriter}, every read
 * through the reader pool.
 *
 * <p>SQLite has one writer (the file has one write lock). PostgreSQL has several, each with its
 * own connection and its own share of the orgs ({@link #writerFor}): with one, the writer and its
 * PostgreSQL backend took turns and left the machine ~40 % idle (BENCHMARKS.md, Ingest). An org's
 * commands all go to the same writer, in the order they come; a usage post whose events belong
 * to orgs of several writers is split, each share applied by its writer at once, and answered
 * when all have committed. Commands naming orgs of several writers, or none, go to the first:
 * they lock their orgs as any write does, so the writers are as exact together as two instances
 * on one database are.
 */
public final class Store implements AutoCloseable {
    private final Database db;
    private final List<BatchingWriter> writers;
    private final Catalog catalog = new Catalog();
    private final DecisionCache decisions;
    private final DecisionLease lease;
    private final Ingester ingester;
    private final Clock clock;

    /** @param postgresWriters writers on PostgreSQL (at least 1); SQLite has one */
    public Store(Database db, Ingester ingester, Clock clock, java.util.function.Consumer<Integer> batchObserver, int postgresWriters) {
        if (postgresWriters < 1) throw new IllegalArgumentException("at least one writer, got " + postgresWriters);
        this.db = db;
        this.ingester = ingester;
        this.clock = clock;
        this.lease = DecisionLease.open(db);
        this.decisions = new DecisionCache(db, catalog, lease);
        int n = db.dialect() == Database.Dialect.POSTGRES ? postgresWriters : 1;
        List<BatchingWriter> ws = new ArrayList<>(n);
        for (int i = 0; i < n; i++) ws.add(new BatchingWriter(db, batchObserver, decisions, lease, clock));
        this.writers = List.copyOf(ws);
        if (db.dialect() == Database.Dialect.SQLITE) lease.writeThrough(this::leaseWrite);
    }

    public Database database() { return db; }

    /** The first writer (the only one on SQLite): the decision lease's writes on SQLite, and tests that hold it or queue commands into one batch. */
    BatchingWriter writer() { return writers.get(0); }

    /** The index of the writer that applies the org's commands. */
    private int partition(String orgId) {
        return Math.floorMod(orgId.hashCode(), writers.size());
    }

    /** The writer of the orgs when they all have the same; else, or for none, the first. */
    BatchingWriter writerFor(Collection<String> orgIds) {
        int p = -1;
        for (String orgId : orgIds) {
            int q = partition(orgId);
            if (p >= 0 && q != p) return writers.get(0);
            p = q;
        }
        return writers.get(Math.max(p, 0));
    }

    public Clock clock() { return clock; }

    @FunctionalInterface
    private interface Read<R> { R apply(Connection c) throws SQLException; }

    private <R> R read(Read<R> body) {
        return onPooledConnection(() -> {
            try (Connection c = db.readers().getConnection()) {
                return body.apply(c);
            }
        });
    }

    private interface PooledRead<R> { R run() throws SQLException; }

    /**
     * Runs a read on the readers' pool, once more on a fresh connection when the one it got had
     * been dropped by the database (a restart, an outage now over) — not when no connection came
     * in time (the database is still away).
     */
    private <R> R onPooledConnection(PooledRead<R> read) {
        try {
            return read.run();
        } catch (SQLException e) {
            if (!StoreFailure.unavailable(e) || e instanceof java.sql.SQLTransientConnectionException) throw new StoreFailure(e);
            db.evictReaders();
            try {
                return read.run();
            } catch (SQLException again) {
                throw new StoreFailure(again);
            }
        }
    }

    /** A write with plain SQL: it sees the rows as the batch's books leave them (they are written first). */
    private <R> R write(Collection<String> orgIds, int weight, Read<R> body) {
        return writeBooked(orgIds, weight, batch -> {
            batch.flushForPlainSql();
            return body.apply(batch.connection());
        });
    }

    @FunctionalInterface
    private interface Booked<R> { R apply(WriteBatch batch) throws SQLException; }

    /** A write that keeps to the batch's books (see {@link WriteBatch}): the hot paths. */
    private <R> R writeBooked(Collection<String> orgIds, int weight, Booked<R> body) {
        return writerFor(orgIds).execute(new BatchingWriter.Command<R>() {
            @Override public Collection<String> orgIds() { return orgIds; }
            @Override public int weight() { return weight; }
            @Override public R apply(WriteBatch batch) throws SQLException { return body.apply(batch); }
        });
    }

    /**
     * SQLite: a write of the decision lease's rows, in a transaction of the writer (see {@link
     * DecisionLease}); it changes no org's state, so the lease does not fence it and the books
     * need not be written before it.
     */
    private <R> R leaseWrite(DecisionLease.Sql<R> sql) {
        return writer().execute(new BatchingWriter.Command<R>() {
            @Override public Collection<String> orgIds() { return List.of(); }
            @Override public boolean fencedByLease() { return false; }
            @Override public R apply(WriteBatch batch) throws SQLException { return sql.apply(batch.connection()); }
        });
    }

    // ---- usage ----

    /** Records the events (already validated for shape) and returns one outcome per event, in order. */
    public List<EventOutcome> ingest(List<UsageEvent> events) {
        if (events.isEmpty()) return List.of();
        if (writers.size() == 1) return writers.get(0).execute(new IngestCommand(events));
        int[] partitionOf = new int[events.size()];
        List<List<UsageEvent>> shares = new ArrayList<>(writers.size());
        for (int p = 0; p < writers.size(); p++) shares.add(new ArrayList<>());
        for (int i = 0; i < events.size(); i++) {
            partitionOf[i] = partition(events.get(i).orgId());
            shares.get(partitionOf[i]).add(events.get(i));
        }
        if (shares.get(partitionOf[0]).size() == events.size()) return writers.get(partitionOf[0]).execute(new IngestCommand(events));
        List<CompletableFuture<List<EventOutcome>>> applied = new ArrayList<>(writers.size());
        for (int p = 0; p < writers.size(); p++) {
            BatchingWriter writer = writers.get(p);
            List<UsageEvent> share = shares.get(p);
            applied.add(share.isEmpty() ? CompletableFuture.completedFuture(List.of())
                    : CompletableFuture.supplyAsync(() -> writer.execute(new IngestCommand(share)), r -> Thread.ofVirtual().start(r)));
        }
        List<Iterator<EventOutcome>> outcomes = new ArrayList<>(writers.size());
        Throwable failed = null;
        for (CompletableFuture<List<EventOutcome>> share : applied) { // every share finishes before the post is answered
            try {
                outcomes.add(share.join().iterator());
            } catch (CompletionException e) {
                if (failed == null) failed = e.getCause();
            }
        }
        if (failed instanceof Error err) throw err;
        if (failed != null) throw (RuntimeException) failed; // execute throws nothing else
        List<EventOutcome> out = new ArrayList<>(events.size());
        for (int p : partitionOf) out.add(outcomes.get(p).next());
        return out;
    }

    /** A usage post. Posts queued together are applied as one ({@link #ingestAll}): one insert statement for their events. */
    private final class IngestCommand implements BatchingWriter.Command<List<EventOutcome>> {
        private final List<UsageEvent> events;
        private final Set<String> orgIds = new HashSet<>();

        IngestCommand(List<UsageEvent> events) {
            this.events = events;
            for (UsageEvent e : events) orgIds.add(e.orgId());
        }

        @Override public Collection<String> orgIds() { return orgIds; }
        @Override public int weight() { return events.size(); }
        @Override public List<EventOutcome> apply(WriteBatch batch) { return ingester.ingest(new JdbcIngestTx(batch, catalog, clock.instant()), events); }
        @Override public BatchingWriter.Merger<List<EventOutcome>> merger() { return ingestAll; }

        @Override
        public void declareReads(BatchReads reads) {
            for (UsageEvent e : events) reads.usage(e.orgId(), e.memberId(), e.modelId(), e.occurredAt());
        }
    }

    /**
     * Applies posts as one. Posts applied one after another give what their events concatenated, in order, give in one
     * post: a repeated id is a duplicate of its first occurrence either way, ledger draws and
     * settlements go in event order, and each event's outcome depends on nothing else.
     */
    private final BatchingWriter.Merger<List<EventOutcome>> ingestAll = this::ingestAll;

    private List<List<EventOutcome>> ingestAll(WriteBatch batch, List<BatchingWriter.Command<List<EventOutcome>>> commands) {
        List<UsageEvent> all = new ArrayList<>();
        for (BatchingWriter.Command<List<EventOutcome>> c : commands) all.addAll(((IngestCommand) c).events);
        List<EventOutcome> outcomes = ingester.ingest(new JdbcIngestTx(batch, catalog, clock.instant()), all);
        List<List<EventOutcome>> out = new ArrayList<>(commands.size());
        int from = 0;
        for (BatchingWriter.Command<List<EventOutcome>> c : commands) {
            int n = ((IngestCommand) c).events.size();
            out.add(outcomes.subList(from, from + n));
            from += n;
        }
        return out;
    }

    // ---- catalog ----

    public Plan putPlan(Plan plan) {
        return writeBooked(List.of(), 1, batch -> {
            batch.flushForPlainSql();
            Connection tx = batch.connection();
            Instant now = clock.instant();
            Plan before = catalog.plan(tx, plan.id());
            if (before != null) {
                // A month already begun keeps the allotment it was given: the plan's orgs get this month's stored (as
                // the plan was) before the edit, whether or not they have written this month yet.
                for (String orgId : catalog.lockOrgsOnPlan(tx, plan.id(), db.dialect() == Database.Dialect.POSTGRES)) Ledger.settleMonths(tx, orgId, before, now);
            }
            catalog.putPlan(tx, plan, now, batch::bumped);
            return catalog.plan(batch.connection(), plan.id());
        });
    }

    public List<Plan> plans() {
        return read(c -> catalog.plans(c, null));
    }

    public Plan plan(String planId) {
        return read(c -> catalog.plan(c, planId));
    }

    /**
     * Appends a rate version to the model (creating it). A null {@code name} or {@code provider}
     * keeps the model's (a new model: its id, no provider).
     */
    public Model putModel(String id, String name, String provider, boolean unmetered, Rates rates, Instant effectiveFrom) {
        return write(List.of(), 1, tx -> {
            Instant now = clock.instant();
            Model existing = catalog.models(tx, List.of(id)).get(id);
            // Without effectiveFrom, a model's first rates apply to all its usage, later ones from now on.
            Instant from = effectiveFrom != null ? effectiveFrom : existing != null && !existing.versions().isEmpty() ? now : Instant.EPOCH;
            return catalog.putModel(tx, id, name != null ? name : existing != null ? existing.name() : id,
                    provider != null ? provider : existing != null ? existing.provider() : "", unmetered, rates, from, now);
        });
    }

    public List<Model> models() {
        return read(catalog::allModels);
    }

    public Model model(String id) {
        return read(c -> catalog.models(c, List.of(id)).get(id));
    }

    /** A rate version to append (its rates and unmetered flag), with the model's head (name, provider). */
    public record NewVersion(String modelId, String name, String provider, boolean unmetered, Rates rates) {}

    /**
     * Appends rate versions effective from {@code effectiveFrom} in one write transaction, all or
     * nothing: {@code plan} gets the whole catalog as that transaction sees it and returns the
     * versions to append. Returns each model's new version number.
     */
    public Map<String, Integer> appendVersions(Function<List<Model>, List<NewVersion>> plan, Instant effectiveFrom) {
        return write(List.of(), 1, tx -> {
            Instant now = clock.instant();
            Map<String, Integer> versions = new LinkedHashMap<>();
            for (NewVersion v : plan.apply(catalog.allModels(tx))) {
                versions.put(v.modelId(), catalog.appendVersion(tx, v.modelId(), v.name(), v.provider(), v.unmetered(), v.rates(),
                        effectiveFrom, now));
            }
            return versions;
        });
    }

    /** The ingester's pricing of one event on {@code model}, recording nothing (what-if pricing). */
    public PricedEvent quote(UsageEvent event, Model model) {
        return ingester.price(event, model);
    }

    // ---- orgs and subscriptions ----

    /** Creates the org and provisions this month's plan allotment at once. */
    public Org createOrg(String id, String name, String planId) {
        return write(List.of(id), 1, tx -> {
            Plan plan = requirePlan(tx, planId);
            if (org(tx, id) != null) throw new Failure(Failure.Kind.CONFLICT, "ORG_EXISTS", "org '" + id + "' already exists");
            Instant now = clock.instant();
            try (PreparedStatement ps = tx.prepareStatement(
                    "INSERT INTO orgs (org_id, name, plan_id, status, created_at_micros) VALUES (?,?,?,?,?)")) {
                ps.setString(1, id);
                ps.setString(2, name);
                ps.setString(3, planId);
                ps.setString(4, Org.ACTIVE);
                ps.setLong(5, Times.micros(now));
                ps.executeUpdate();
            }
            recordPlanChange(tx, id, null, planId, now);
            Ledger.ensurePlanBucket(tx, id, plan, Periods.periodStart(now), now);
            return org(tx, id);
        });
    }

    public Org org(String id) {
        return read(c -> org(c, id));
    }

    private static Org org(Connection c, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT org_id, name, plan_id, status, created_at_micros FROM orgs WHERE org_id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Org(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), Times.instant(rs.getLong(5))) : null;
            }
        }
    }

    private static Org requireOrg(Connection c, String id) throws SQLException {
        Org org = org(c, id);
        if (org == null) throw Failure.notFound("ORG_NOT_FOUND", "org '" + id + "' does not exist");
        return org;
    }

    private Plan requirePlan(Connection c, String planId) throws SQLException {
        Plan plan = catalog.plan(c, planId);
        if (plan == null) throw Failure.notFound("PLAN_NOT_FOUND", "plan '" + planId + "' does not exist");
        return plan;
    }

    /**
     * Moves the org to another plan now: this month's allotment becomes the new plan's (credits
     * already consumed stay consumed) and the change is recorded.
     */
    public Subscription changePlan(String orgId, String planId) {
        write(List.of(orgId), 1, tx -> {
            Org org = requireOrg(tx, orgId);
            Plan plan = requirePlan(tx, planId);
            Instant now = clock.instant();
            try (PreparedStatement ps = tx.prepareStatement("UPDATE orgs SET plan_id = ? WHERE org_id = ?")) {
                ps.setString(1, planId);
                ps.setString(2, orgId);
                ps.executeUpdate();
            }
            recordPlanChange(tx, orgId, org.planId(), planId, now);
            // The months as the old plan gave them (with what this one carried in), then the new plan's allotment for
            // this month: it keeps the carry when it rolls over too; otherwise the carried credits are gone.
            CreditBucket current = Ledger.settleMonths(tx, orgId, requirePlan(tx, org.planId()), now);
            long carried = plan.rollover() ? Ledger.carriedMicros(tx, orgId, current.id()) : 0;
            Ledger.setAllotment(tx, orgId, current.id(), Math.addExact(plan.creditsIncludedMicros(), carried), carried, null);
            return null;
        });
        return subscription(orgId);
    }

    private static void recordPlanChange(Connection tx, String orgId, String from, String to, Instant now) throws SQLException {
        // The org row is locked (or this is the only writer), so max + 1 cannot race.
        try (PreparedStatement ps = tx.prepareStatement("INSERT INTO subscription_changes (org_id, seq, changed_at_micros, from_plan_id, to_plan_id)"
                + " SELECT ?, COALESCE(MAX(seq), 0) + 1, ?, ?, ? FROM subscription_changes WHERE org_id = ?")) {
            ps.setString(1, orgId);
            ps.setLong(2, Times.micros(now));
            ps.setString(3, from);
            ps.setString(4, to);
            ps.setString(5, orgId);
            ps.executeUpdate();
        }
    }

    /** Suspends or reactivates an org: a suspended org's calls are refused by authorize (its usage is still recorded). */
    public Org setOrgStatus(String orgId, String status) {
        if (!Org.ACTIVE.equals(status) && !Org.SUSPENDED.equals(status)) {
            throw Failure.invalid("status", "status must be active or suspended, got '" + status + "'");
        }
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            try (PreparedStatement ps = tx.prepareStatement("UPDATE orgs SET status = ? WHERE org_id = ?")) {
                ps.setString(1, status);
                ps.setString(2, orgId);
                ps.executeUpdate();
            }
            return org(tx, orgId);
        });
    }

    /** A plan change as recorded. */
    public record PlanChange(Instant changedAt, String fromPlanId, String toPlanId) {}

    public List<PlanChange> planChanges(String orgId) {
        return read(c -> {
            List<PlanChange> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT changed_at_micros, from_plan_id, to_plan_id FROM subscription_changes"
                    + " WHERE org_id = ? ORDER BY seq")) {
                ps.setString(1, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(new PlanChange(Times.instant(rs.getLong(1)), rs.getString(2), rs.getString(3)));
                }
            }
            return out;
        });
    }

    public CreditBucket grant(String orgId, long creditsMicros, Instant expiresAt, String reason) {
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            Instant now = clock.instant();
            if (expiresAt != null && !expiresAt.isAfter(now)) throw Failure.invalid("expiresAt", "expiresAt must be in the future");
            CreditBucket b = new CreditBucket("grant:" + UUID.randomUUID(), CreditBucket.Kind.GRANT, creditsMicros, 0, null, expiresAt, reason, now);
            Ledger.insertIfAbsent(tx, orgId, b);
            return b;
        });
    }

    public Balance balance(String orgId) {
        return read(c -> balance(c, requireOrg(c, orgId), clock.instant()));
    }

    private Balance balance(Connection c, Org org, Instant now) throws SQLException {
        Plan plan = requirePlan(c, org.planId());
        long reserved = Enforcement.reserved(c, org.id(), null, now)[0];
        return new Balance(Ledger.balanceMicros(c, org.id(), plan, now), reserved, Ledger.grants(c, org.id()));
    }

    public Subscription subscription(String orgId) {
        return read(c -> {
            Org org = requireOrg(c, orgId);
            Instant now = clock.instant();
            LocalDate period = Periods.periodStart(now);
            Plan plan = requirePlan(c, org.planId());
            Balance balance = balance(c, org, now);
            try (PreparedStatement ps = c.prepareStatement("SELECT events, consumed_micros, overage_micros, input_tokens, output_tokens,"
                    + " cache_write_tokens, cache_read_tokens FROM usage_periods WHERE org_id = ? AND period_start = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, period.toString());
                try (ResultSet rs = ps.executeQuery()) {
                    boolean any = rs.next();
                    long allotment = Ledger.planBucket(c, orgId, plan, period, now).creditsMicros();
                    return new Subscription(plan, org.status(), period, period.plusMonths(1), allotment,
                            any ? rs.getLong(2) : 0, any ? rs.getLong(3) : 0, any ? rs.getLong(1) : 0,
                            any ? rs.getLong(4) : 0, any ? rs.getLong(5) : 0, any ? rs.getLong(6) : 0, any ? rs.getLong(7) : 0,
                            balance);
                }
            }
        });
    }

    // ---- members and keys ----

    public Member putMember(String orgId, String memberId, Role role, Member.Type type) {
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            try (PreparedStatement ps = tx.prepareStatement("""
                    INSERT INTO members (org_id, member_id, role, type, created_at_micros) VALUES (?,?,?,?,?)
                    ON CONFLICT (org_id, member_id) DO UPDATE SET role = excluded.role, type = excluded.type""")) {
                ps.setString(1, orgId);
                ps.setString(2, memberId);
                ps.setString(3, role.wire());
                ps.setString(4, type.wire());
                ps.setLong(5, Times.micros(clock.instant()));
                ps.executeUpdate();
            }
            return member(tx, orgId, memberId);
        });
    }

    /**
     * Removes the member, its keys, budget override and allow-lists, and releases its open holds
     * (its events are refused from now on, so none could settle them); false when it did not exist.
     * Its recorded usage stays.
     */
    public boolean deleteMember(String orgId, String memberId) {
        return writeBooked(List.of(orgId), 1, batch -> {
            batch.flushForPlainSql(); // the plain SQL below sees the rows as the batch's books leave them
            Connection tx = batch.connection();
            requireOrg(tx, orgId);
            Instant now = clock.instant();
            OrgBook book = batch.book(orgId);
            for (Reservations.Reservation r : Reservations.openHoldsOf(tx, orgId, memberId, now)) {
                if (Reservations.release(tx, orgId, r.id(), now)) book.holdReleased(r);
            }
            for (String table : List.of("api_keys", "member_budgets", "restrictions")) {
                try (PreparedStatement ps = tx.prepareStatement("DELETE FROM " + table + " WHERE org_id = ? AND member_id = ?")) {
                    ps.setString(1, orgId);
                    ps.setString(2, memberId);
                    ps.executeUpdate();
                }
            }
            UsageViews.memberRemoved(tx, orgId, memberId);
            try (PreparedStatement ps = tx.prepareStatement("DELETE FROM members WHERE org_id = ? AND member_id = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, memberId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    public List<Member> members(String orgId) {
        return read(c -> {
            requireOrg(c, orgId);
            List<Member> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT org_id, member_id, role, type, created_at_micros FROM members"
                    + " WHERE org_id = ? ORDER BY member_id")) {
                ps.setString(1, orgId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(readMember(rs));
                }
            }
            return out;
        });
    }

    public Member member(String orgId, String memberId) {
        return read(c -> {
            requireOrg(c, orgId);
            return member(c, orgId, memberId);
        });
    }

    private static Member member(Connection c, String orgId, String memberId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT org_id, member_id, role, type, created_at_micros FROM members"
                + " WHERE org_id = ? AND member_id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, memberId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? readMember(rs) : null;
            }
        }
    }

    private static Member readMember(ResultSet rs) throws SQLException {
        return new Member(rs.getString(1), rs.getString(2), Role.parse(rs.getString(3)), Member.Type.parse(rs.getString(4)),
                Times.instant(rs.getLong(5)));
    }

    /** A key as created: {@code key} is the secret, shown this once. */
    public record CreatedKey(String id, String key, Role role, String memberId) {}

    public CreatedKey createKey(String orgId, Role role, String memberId) {
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            Member member = memberId == null ? null : member(tx, orgId, memberId);
            if (memberId != null && member == null) {
                throw Failure.notFound("MEMBER_NOT_FOUND", "member '" + memberId + "' does not exist in org '" + orgId + "'");
            }
            if (role == Role.ADMIN && member != null && member.role() != Role.ADMIN) {
                throw Failure.invalid("memberId", "member '" + memberId + "' is not an admin of org '" + orgId
                        + "': an admin key bound to a member needs an admin member (PUT the member with role admin first), or no memberId");
            }
            Keys.NewKey k = Keys.generate();
            try (PreparedStatement ps = tx.prepareStatement(
                    "INSERT INTO api_keys (org_id, key_id, role, member_id, key_hash, created_at_micros) VALUES (?,?,?,?,?,?)")) {
                ps.setString(1, orgId);
                ps.setString(2, k.keyId());
                ps.setString(3, role.wire());
                ps.setString(4, memberId);
                ps.setString(5, k.hash());
                ps.setLong(6, Times.micros(clock.instant()));
                ps.executeUpdate();
            }
            return new CreatedKey(k.keyId(), k.secret(), role, memberId);
        });
    }

    public boolean deleteKey(String orgId, String keyId) {
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            try (PreparedStatement ps = tx.prepareStatement("DELETE FROM api_keys WHERE org_id = ? AND key_id = ?")) {
                ps.setString(1, orgId);
                ps.setString(2, keyId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /** The principal of a stored key, or null. */
    public Principal principalByKeyHash(String hash) {
        return read(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT k.org_id, k.key_id, k.role, k.member_id, m.role FROM api_keys k"
                    + " LEFT JOIN members m ON m.org_id = k.org_id AND m.member_id = k.member_id WHERE k.key_hash = ?")) {
                ps.setString(1, hash);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) return null;
                    Role keyRole = Role.parse(rs.getString(3));
                    String memberRole = rs.getString(5);
                    // A key bound to a member acts with at most the member's role: demoting an admin demotes their keys.
                    Role role = keyRole == Role.ADMIN && memberRole != null && Role.parse(memberRole) != Role.ADMIN ? Role.MEMBER : keyRole;
                    return new Principal(role, rs.getString(1), rs.getString(4), rs.getString(2));
                }
            }
        });
    }

    /**
     * Quick liveness probe of the database: false when it does not answer within 3 s (a request
     * waits for a pooled connection up to {@link Database#POOL_WAIT_MS}; a health check must not).
     */
    public boolean healthy() {
        java.util.concurrent.CompletableFuture<Boolean> probe = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("creditline-health").start(() -> {
            try {
                probe.complete(read(c -> {
                    if (!c.isValid(2)) throw new SQLException("the connection is closed", "08003");
                    return true;
                }));
            } catch (RuntimeException e) {
                probe.complete(false);
            }
        });
        try {
            return probe.get(3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- budgets, restrictions, authorization, reservations ----

    public BudgetSettings budgets(String orgId) {
        return read(c -> {
            requireOrg(c, orgId);
            return Enforcement.budgets(c, orgId);
        });
    }

    public BudgetSettings putBudgets(String orgId, BudgetSettings budgets) {
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            Enforcement.putBudgets(tx, orgId, budgets, clock.instant());
            return Enforcement.budgets(tx, orgId);
        });
    }

    /** Member overrides by member id; an empty Optional is an explicit "unlimited" override. */
    public Map<String, Optional<Long>> budgetOverrides(String orgId) {
        return read(c -> {
            requireOrg(c, orgId);
            Map<String, Optional<Long>> out = new java.util.TreeMap<>();
            Enforcement.overrides(c, orgId).forEach((m, o) -> out.put(m, Optional.ofNullable(o.creditsMicros())));
            return out;
        });
    }

    /** Sets a member's override; {@code creditsMicros} null is an explicit unlimited override. */
    public void putBudgetOverride(String orgId, String memberId, Long creditsMicros) {
        write(List.of(orgId), 1, tx -> {
            requireMember(tx, orgId, memberId);
            Enforcement.putOverride(tx, orgId, memberId, creditsMicros, clock.instant());
            return null;
        });
    }

    /** Removes a member's override, so the default member budget applies again; OVERRIDE_NOT_FOUND when there is none. */
    public void deleteBudgetOverride(String orgId, String memberId) {
        boolean deleted = write(List.of(orgId), 1, tx -> {
            requireMember(tx, orgId, memberId);
            return Enforcement.deleteOverride(tx, orgId, memberId);
        });
        if (!deleted) throw Failure.notFound("OVERRIDE_NOT_FOUND", "member '" + memberId + "' has no budget override");
    }

    /** Allow-lists of the org ({@code memberId} null) or of a member. */
    public Restrictions putRestrictions(String orgId, String memberId, Restrictions r) {
        return write(List.of(orgId), 1, tx -> {
            if (memberId == null) requireOrg(tx, orgId);
            else requireMember(tx, orgId, memberId);
            String scope = memberId == null ? Enforcement.ORG_SCOPE : memberId;
            Enforcement.putRestrictions(tx, orgId, scope, r, clock.instant());
            return Enforcement.restrictions(tx, orgId, scope);
        });
    }

    public Restrictions restrictions(String orgId, String memberId) {
        return read(c -> {
            if (memberId == null) requireOrg(c, orgId);
            else requireMember(c, orgId, memberId);
            return Enforcement.restrictions(c, orgId, memberId == null ? Enforcement.ORG_SCOPE : memberId);
        });
    }

    private static Member requireMember(Connection c, String orgId, String memberId) throws SQLException {
        requireOrg(c, orgId);
        Member m = member(c, orgId, memberId);
        if (m == null) throw Failure.notFound("MEMBER_NOT_FOUND", "member '" + memberId + "' does not exist in org '" + orgId + "'");
        return m;
    }

    /** A decision, and the reservation made with it when one was asked for and the call is allowed. */
    public record Authorization(Decision decision, Reservations.Reservation reservation) {}

    /**
     * Decides whether the member may make the call. With {@code reserveTtlSeconds} non-null,
     * also holds {@code estimateMicros} at every level at once (all or none): the decision and
     * the hold are made in one write transaction with the org locked, so concurrent reservations
     * (on any instance) can never jointly exceed an enforced budget or a hard-limit balance.
     */
    public Authorization authorize(String orgId, String memberId, String modelId, String activity, long estimateMicros, Long reserveTtlSeconds) {
        if (reserveTtlSeconds == null) {
            Enforcement.Snapshot s = onPooledConnection(() -> decisions.snapshot(orgId, memberId, clock.instant()));
            Decided d = decided(s, orgId, memberId, modelId, activity, estimateMicros);
            if (!knownModels.contains(modelId)) read(c -> { requireModel(c, modelId); return null; });
            return new Authorization(d.decision(), null);
        }
        String reservationId = ReservationIds.next(orgId, clock.millis()); // made by the caller's thread, not the writer's
        return writeBooked(List.of(orgId), 1, batch -> {
            Connection tx = batch.connection();
            Instant now = clock.instant();
            OrgBook book = batch.book(orgId); // null when the org does not exist: decide says so
            Decided decided = decide(tx, book, orgId, memberId, modelId, activity, estimateMicros, now);
            Decision d = decided.decision();
            if (!d.allowed()) return new Authorization(d, null);
            if (decided.openHolds() >= RESERVATIONS_OPEN_MAX) {
                throw new Failure(Failure.Kind.CONFLICT, "TOO_MANY_RESERVATIONS", "org '" + orgId + "' already has " + RESERVATIONS_OPEN_MAX
                        + " open reservations; settle or release some first", Map.of("reservationsOpenMax", RESERVATIONS_OPEN_MAX));
            }
            Reservations.Reservation r = new Reservations.Reservation(orgId, reservationId, memberId, modelId, activity,
                    estimateMicros, "PENDING", now, now.plusSeconds(reserveTtlSeconds), null, null);
            book.openHold(r);
            return new Authorization(d, r);
        });
    }

    /** Open holds one org may have at once: bounds the sums of holds far below overflow. */
    public static final int RESERVATIONS_OPEN_MAX = 100_000;

    private record Decided(Decision decision, long openHolds) {}

    /** @param book the org's changes not yet written in this write batch; null when the org does not exist */
    private Decided decide(Connection c, OrgBook book, String orgId, String memberId, String modelId, String activity, long estimateMicros,
                           Instant now) throws SQLException {
        Enforcement.Snapshot s = book == null ? Enforcement.snapshot(c, catalog, orgId, memberId, now) : book.snapshot(c, catalog, memberId, now);
        Decided d = decided(s, orgId, memberId, modelId, activity, estimateMicros);
        requireModel(c, modelId);
        return d;
    }

    private static Decided decided(Enforcement.Snapshot s, String orgId, String memberId, String modelId, String activity, long estimateMicros) {
        if (!s.orgExists()) throw Failure.notFound("ORG_NOT_FOUND", "org '" + orgId + "' does not exist");
        if (!s.memberExists()) throw Failure.notFound("MEMBER_NOT_FOUND", "member '" + memberId + "' does not exist in org '" + orgId + "'");
        return new Decided(Authorizer.decide(s.state(), modelId, activity, estimateMicros), s.openHolds());
    }

    /** Models are never deleted, so a model seen once exists for good: the hot path skips the query. */
    private final Set<String> knownModels = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void requireModel(Connection c, String modelId) {
        if (knownModels.contains(modelId)) return;
        if (catalog.models(c, List.of(modelId)).isEmpty()) throw Failure.notFound("MODEL_NOT_FOUND", "model '" + modelId + "' does not exist");
        knownModels.add(modelId);
    }

    /** Releases an open hold. */
    public Reservations.Reservation release(String reservationId) {
        String orgId = ReservationIds.orgOf(reservationId);
        return writeBooked(orgId == null ? List.of() : List.of(orgId), 1, batch -> {
            Connection tx = batch.connection();
            Instant now = clock.instant();
            OrgBook book = orgId == null ? null : batch.book(orgId);
            if (book != null) book.writeHolds(tx); // the rows must show this batch's holds
            Reservations.Reservation r = book == null ? null : Reservations.find(tx, orgId, reservationId, now);
            if (r == null) throw Failure.notFound("RESERVATION_NOT_FOUND", "reservation '" + reservationId + "' does not exist");
            if (!Reservations.release(tx, orgId, reservationId, now)) {
                String status = r.status().toLowerCase(java.util.Locale.ROOT); // as GET /v1/reservations/{id} shows it
                throw new Failure(Failure.Kind.CONFLICT, "RESERVATION_NOT_OPEN", "reservation '" + reservationId + "' is already " + status,
                        Map.of("status", status));
            }
            book.holdReleased(r);
            return Reservations.find(tx, orgId, reservationId, now);
        });
    }

    public Reservations.Reservation reservation(String reservationId) {
        String orgId = ReservationIds.orgOf(reservationId);
        Reservations.Reservation r = orgId == null ? null : read(c -> Reservations.find(c, orgId, reservationId, clock.instant()));
        if (r == null) throw Failure.notFound("RESERVATION_NOT_FOUND", "reservation '" + reservationId + "' does not exist");
        return r;
    }

    // ---- alerts ----

    public List<Alerts.Notification> notifications(String orgId, String memberId, int limit) {
        return read(c -> {
            requireOrg(c, orgId);
            return Alerts.notifications(c, orgId, memberId, limit);
        });
    }

    public Alerts.Webhook putWebhook(Alerts.Webhook w) {
        return write(List.of(w.orgId()), 1, tx -> {
            requireOrg(tx, w.orgId());
            Alerts.putWebhook(tx, w, clock.instant());
            return w;
        });
    }

    public List<Alerts.Webhook> webhooks(String orgId) {
        return read(c -> {
            requireOrg(c, orgId);
            return Alerts.webhooks(c, orgId);
        });
    }

    public boolean deleteWebhook(String orgId, String webhookId) {
        return write(List.of(orgId), 1, tx -> {
            requireOrg(tx, orgId);
            return Alerts.deleteWebhook(tx, orgId, webhookId);
        });
    }

    /**
     * Leases due deliveries (see {@link Alerts#leaseDue}). Whether any is due is read first, without
     * the writer: a lease is a write with plain SQL, which makes its batch write the books early and
     * carry nothing across its commit, and the deliverer polls five times a second.
     */
    public List<Alerts.Delivery> leaseDueDeliveries(int limit, long leaseSeconds) {
        if (!read(c -> Alerts.anyDue(c, clock.instant()))) return List.of();
        return write(List.of(), 1, tx -> Alerts.leaseDue(tx, db.dialect() == Database.Dialect.POSTGRES, clock.instant(), limit, leaseSeconds));
    }

    public void recordDeliveryAttempt(Alerts.Delivery d, boolean delivered, String error, Instant retryAt) {
        write(List.of(d.orgId()), 1, tx -> {
            Alerts.recordAttempt(tx, d, delivered, error, retryAt, clock.instant());
            return null;
        });
    }

    /**
     * The org's ledger totals from three independent places; they agree when the ledger is
     * exact: event charges = bucket consumption + overage = period totals.
     */
    public record Reconciliation(long eventsChargedMicros, long bucketsConsumedMicros, long overageMicros,
                                 long periodsConsumedMicros, long events, long periodEvents) {
        public boolean balanced() {
            return eventsChargedMicros == bucketsConsumedMicros + overageMicros
                    && eventsChargedMicros == periodsConsumedMicros && events == periodEvents;
        }
    }

    public Reconciliation reconcile(String orgId) {
        return read(c -> {
            requireOrg(c, orgId);
            long[] ev = sums(c, "SELECT COALESCE(SUM(charged_micros), 0), COUNT(*) FROM usage_events WHERE org_id = ?", orgId);
            long[] buckets = sums(c, "SELECT COALESCE(SUM(consumed_micros), 0), 0 FROM credit_buckets WHERE org_id = ?", orgId);
            long[] periods = sums(c, "SELECT COALESCE(SUM(consumed_micros), 0), COALESCE(SUM(overage_micros), 0),"
                    + " COALESCE(SUM(events), 0) FROM usage_periods WHERE org_id = ?", orgId);
            return new Reconciliation(ev[0], buckets[0], periods[1], periods[0], ev[1], periods[2]);
        });
    }

    private static long[] sums(Connection c, String sql, String orgId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long[] out = new long[rs.getMetaData().getColumnCount()];
                for (int i = 0; i < out.length; i++) out[i] = rs.getLong(i + 1);
                return out;
            }
        }
    }

    // ---- usage views, exports and the bulk budget CSV (analytics) ----

    /** A read whose statements all see one snapshot of the database, so the parts of a view add up. */
    private <R> R readSnapshot(Read<R> body) {
        return read(c -> {
            c.setAutoCommit(false);
            if (db.dialect() == Database.Dialect.POSTGRES) c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                return body.apply(c);
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        });
    }

    /** The org's usage in the range ({@code memberId} null), or one member's. */
    public UsageSummary usageSummary(String orgId, String memberId, DateRange range) {
        return readSnapshot(c -> {
            requireOrg(c, orgId);
            return UsageViews.summary(c, orgId, memberId, range);
        });
    }

    /** One page of the member table: usage in the range, by model, with budgets as enforced this month. */
    public MemberUsage.Page memberUsage(String orgId, DateRange range, MemberQuery q) {
        return readSnapshot(c -> {
            requireOrg(c, orgId);
            return UsageViews.page(c, orgId, range, q, Periods.periodStart(clock.instant()));
        });
    }

    /** Receives the whole member table: first the models of the range (most credits first), then every row. */
    public interface MemberSink {
        void start(List<String> models);

        void row(MemberUsage row);
    }

    /** Every row of the member table in the query's order (the page fields are ignored). */
    public void memberUsageAll(String orgId, DateRange range, MemberQuery q, MemberSink sink) {
        readSnapshot(c -> {
            requireOrg(c, orgId);
            UsageViews.all(c, orgId, range, q, Periods.periodStart(clock.instant()), sink);
            return null;
        });
    }

    /** The member's budget for this calendar month and what they consumed in it. */
    public MemberUsage.Budget memberBudget(String orgId, String memberId) {
        return readSnapshot(c -> {
            requireMember(c, orgId, memberId);
            return UsageViews.budget(c, orgId, memberId, Periods.periodStart(clock.instant()));
        });
    }

    /** Streams the org's events of the filter (constant memory); returns how many. */
    public long exportEvents(String orgId, EventFilter filter, EventExport.RowSink sink) {
        return readSnapshot(c -> {
            requireOrg(c, orgId);
            try {
                return EventExport.stream(c, orgId, filter, sink);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * Checks a parsed budget CSV against the org and, unless {@code dryRun} or the file has
     * errors, applies every row in one write transaction: all rows or none.
     */
    public BudgetUpload.Report uploadBudgets(String orgId, BudgetUpload.Parsed parsed, boolean dryRun) {
        if (dryRun || parsed.errorCount() > 0) {
            return readSnapshot(c -> {
                requireOrg(c, orgId);
                return BudgetCsv.check(c, orgId, parsed);
            });
        }
        return write(List.of(orgId), Math.max(1, parsed.valid().size()), tx -> {
            requireOrg(tx, orgId);
            BudgetUpload.Report report = BudgetCsv.check(tx, orgId, parsed);
            if (report.ok()) BudgetCsv.apply(tx, orgId, report.changes(), clock.instant());
            return report;
        });
    }

    @Override
    public void close() {
        writers.forEach(BatchingWriter::close);
        lease.close();
        decisions.close();
    }

    /** Whether this instance holds the decision lease now (when it is the only instance on the database; see {@link DecisionLease}). */
    public boolean holdsDecisionLease() {
        return lease.trusted() != null;
    }

    /** How many authorize decisions have read their org's version from the database. */
    public long decisionVersionReads() {
        return decisions.versionReads();
    }

}
