package creditline.store;

import creditline.analytics.UsageTotals;
import creditline.budget.AuthState;
import creditline.budget.BudgetSettings;
import creditline.budget.Restrictions;
import creditline.ledger.CreditBucket;
import creditline.ledger.PlanAllotment;
import creditline.plan.Periods;
import creditline.plan.Plan;
import creditline.usage.OrgRef;
import creditline.usage.PeriodTotals;
import creditline.usage.RollupDelta;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One org's changes within a write batch that are not written yet, and what the batch has read
 * about the org. Usage adds to the period totals, the members' consumption, the buckets' draw and
 * the rollups here; {@link #flush} writes each of them once (one statement per changed row) and
 * then raises the alerts the new totals call for.
 *
 * <p>Rows in the database plus this book are the org's true state. {@link #adjust} turns a
 * decision snapshot read from the rows into the true state.
 */
final class OrgBook {
    private final String orgId;
    private final OrgRef ref;

    private Plan plan;
    private final Map<String, Restrictions> restrictions = new HashMap<>();
    /** Members whose existence was read in this batch, and those of them that exist. */
    private final Set<String> checkedMembers = new HashSet<>();
    private final Set<String> knownMembers = new HashSet<>();
    private BudgetSettings budgets;

    /** Bucket id → {as stored, as drawn in this batch}. */
    private final Map<String, CreditBucket[]> buckets = new LinkedHashMap<>();
    /** Every bucket overlapping {@code [loadedFrom, loadedTo)} is in {@link #buckets}. */
    private Instant loadedFrom;
    private Instant loadedTo;
    /** Whether this batch settled the org's months (see {@link Ledger#settleMonths}). */
    private boolean monthsSettled;

    private final Map<LocalDate, PeriodTotals> periodDeltas = new TreeMap<>();
    private final Map<LocalDate, Map<String, long[]>> memberDeltas = new TreeMap<>();
    private final Map<RollupDelta.Cell, UsageTotals> rollups = new HashMap<>();
    /** Decision snapshots read in this batch, by member: rows as they were then, and the journal's length then. */
    private record SnapshotRead(Enforcement.Snapshot snapshot, Instant at, int journalAt) {}
    private final Map<String, SnapshotRead> snapshots = new HashMap<>();
    /** The instant of the batch's first decision for this org: every decision of the batch sees the holds open then. */
    private Instant decisionsAsOf;
    /** Holds opened and closed in this batch, in order: what a snapshot read earlier does not show. */
    private record HoldChange(String memberId, long amountMicros, Instant expiresAt, boolean opened) {}
    private final List<HoldChange> holdJournal = new ArrayList<>();
    /**
     * Open holds this book knows without reading their rows (see {@link KnownHolds}): those known
     * before the batch, plus those opened in it, minus those closed in it. Null: not tracked.
     */
    private final Map<String, KnownHolds.Hold> knownOpen;
    /** Holds opened, and known holds settled, in this batch and not written yet (see {@link #writeHolds}). */
    private final List<Reservations.Reservation> holdsToInsert = new ArrayList<>();
    private final List<Reservations.Settlement> settlementsToWrite = new ArrayList<>();

    private final Map<LocalDate, Set<String>> alertMembers = new TreeMap<>();
    private Instant alertsAt;

    /** The instance's decision cache (null: none, or plain SQL ran earlier in the batch). */
    private final DecisionCache decisions;
    /** The writer's known holds (null: not tracked, e.g. plain SQL ran earlier in the batch). */
    private final KnownHolds knownHolds;
    /** The org's state_version this batch commits with; -1 when unknown. */
    private final long version;
    /** Rows of the org were written during the batch (buckets, early): entries from before the batch no longer add up with this book. */
    private boolean wroteThrough;

    /** Written on PostgreSQL (else SQLite): how {@link BulkWrites} write. */
    private final boolean postgres;

    private OrgBook(OrgRef ref, boolean postgres, DecisionCache decisions, KnownHolds knownHolds, long version) {
        this.orgId = ref.id();
        this.postgres = postgres;
        this.ref = ref;
        this.decisions = decisions;
        this.knownHolds = knownHolds;
        this.version = version;
        this.knownOpen = knownHolds == null ? null : knownHolds.take(orgId, version);
    }

    /** The org's row as the batch locked it: its reference and the state_version the batch commits with. */
    record Locked(OrgRef ref, long version) {}

    /**
     * The org's book, or null when the org does not exist.
     *
     * @param locked the org's row as the batch locked it, when it still is as locked; null to read
     *     it (the book then knows no version: it neither starts from nor carries anything)
     * @param decisions the decision cache whose entries from just before the batch the book may
     *     start from and carry across the commit; null for none
     * @param knownHolds the writer's known holds, which the book may start from and carry across
     *     the commit; null for none
     * @param read what the batch read of the org when it began, after the lock (see {@link BatchReads});
     *     null for nothing (taken only with {@code locked})
     */
    static OrgBook open(Connection tx, boolean postgres, String orgId, Locked locked, DecisionCache decisions, KnownHolds knownHolds,
                        BatchReads.OrgRead read) {
        if (locked != null) {
            OrgBook b = new OrgBook(locked.ref(), postgres, decisions, knownHolds, locked.version());
            if (read != null) b.absorb(read);
            return b;
        }
        try (PreparedStatement ps = tx.prepareStatement("SELECT plan_id, status, created_at_micros FROM orgs WHERE org_id = ?")) {
            ps.setString(1, orgId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new OrgBook(new OrgRef(orgId, rs.getString(1), rs.getString(2), Times.instant(rs.getLong(3))), postgres, null, null, -1)
                        : null;
            }
        } catch (SQLException e) {
            throw new StoreFailure(e);
        }
    }

    OrgRef ref() {
        return ref;
    }

    // ---- reads, kept for the batch ----

    Restrictions restrictions(Connection tx, String memberId) throws SQLException {
        Restrictions r = restrictions.get(memberId);
        if (r == null) {
            r = Enforcement.restrictions(tx, orgId, memberId);
            restrictions.put(memberId, r);
        }
        return r;
    }

    /** Takes what the batch read of the org when it began. */
    private void absorb(BatchReads.OrgRead read) {
        for (MemberRows rows : read.members()) absorb(rows);
        if (read.bucketsFrom() != null) {
            for (CreditBucket b : read.buckets()) buckets.putIfAbsent(b.id(), new CreditBucket[] {b, b});
            loadedFrom = read.bucketsFrom();
            loadedTo = read.bucketsTo();
        }
        budgets = read.budgets();
    }

    /**
     * Those of {@code memberIds} that exist. Reads, with the same round trip, their restrictions
     * and the org's, which the batch's usage asks for next.
     */
    Set<String> existingMembers(Connection tx, Set<String> memberIds) throws SQLException {
        Set<String> unknown = new HashSet<>(memberIds);
        unknown.removeAll(checkedMembers);
        for (Query<MemberRows> q : membersQueries(orgId, unknown)) absorb(q.run(tx));
        Set<String> out = new HashSet<>(memberIds);
        out.retainAll(knownMembers);
        return out;
    }

    /** Of the members asked for: those that exist, and the restrictions of those and of the org (NONE when it has none). */
    record MemberRows(Set<String> asked, Set<String> existing, Map<String, Restrictions> restrictions) {}

    private void absorb(MemberRows rows) {
        checkedMembers.addAll(rows.asked());
        knownMembers.addAll(rows.existing());
        restrictions.putAll(rows.restrictions());
    }

    /** Reads which of the members exist, with their restrictions and the org's: one query per {@value Query#IN_LIST_MAX} members. */
    static List<Query<MemberRows>> membersQueries(String orgId, Set<String> memberIds) {
        List<Query<MemberRows>> out = new ArrayList<>();
        for (List<String> chunk : Query.chunks(memberIds)) {
            String sql = "SELECT m.member_id, r.models, r.activities FROM members m"
                    + " LEFT JOIN restrictions r ON r.org_id = m.org_id AND r.member_id = m.member_id"
                    + " WHERE m.org_id = ? AND m.member_id IN (" + Query.parameters(chunk.size()) + ")"
                    + " UNION ALL SELECT NULL, models, activities FROM restrictions WHERE org_id = ? AND member_id = ''";
            out.add(new Query<>(sql, (ps, first) -> {
                ps.setString(first++, orgId);
                for (String id : chunk) ps.setString(first++, id);
                ps.setString(first++, orgId);
                return first;
            }, rs -> {
                Set<String> existing = new HashSet<>();
                Map<String, Restrictions> restrictions = new HashMap<>();
                restrictions.put("", Restrictions.NONE);
                while (rs.next()) {
                    String member = rs.getString(1);
                    Restrictions r = Enforcement.restrictionsOf(rs.getString(2), rs.getString(3));
                    restrictions.put(member == null ? "" : member, r);
                    if (member != null) existing.add(member);
                }
                return new MemberRows(Set.copyOf(chunk), existing, restrictions);
            }));
        }
        return out;
    }

    private Plan plan(Connection tx, Catalog catalog) throws SQLException {
        if (plan == null) plan = catalog.plan(tx, ref.planId());
        return plan;
    }

    // ---- the ledger ----

    /**
     * The org's buckets valid in any of {@code periods}, as drawn so far in this batch; the plan
     * bucket of each of those periods is stored first when missing (from the org's first month on).
     */
    List<CreditBucket> bucketsFor(Connection tx, Catalog catalog, Set<LocalDate> periods, Instant now) throws SQLException {
        LocalDate firstPeriod = Periods.periodStart(ref.createdAt());
        Instant from = null;
        Instant to = null;
        for (LocalDate period : periods) {
            Instant s = Periods.startInstant(period);
            Instant e = Periods.endInstant(period);
            if (from == null || s.isBefore(from)) from = s;
            if (to == null || e.isAfter(to)) to = e;
        }
        if (loadedFrom == null || from.isBefore(loadedFrom) || to.isAfter(loadedTo)) {
            for (CreditBucket b : Ledger.bucketsOverlapping(tx, orgId, from, to)) buckets.putIfAbsent(b.id(), new CreditBucket[] {b, b});
            loadedFrom = from;
            loadedTo = to;
        }
        // Before any event draws: this month's allotment and those a late event may be dated in are
        // settled (stored as the plan gives them now, a rollover carry moved into this month), once per batch.
        LocalDate current = Periods.periodStart(now);
        if (!monthsSettled) {
            monthsSettled = true;
            CreditBucket[] known = buckets.get(PlanAllotment.bucketId(current));
            if (!current.isBefore(firstPeriod) && (known == null || Ledger.undecided(known[1], now))) {
                writeBuckets(tx);
                Ledger.settleMonths(tx, orgId, plan(tx, catalog), now);
                planBucketsStored(tx);
            }
        }
        // A period's plan bucket overlaps it, so it is among those just read when stored.
        for (LocalDate period : new java.util.TreeSet<>(periods)) {
            CreditBucket[] known = buckets.get(PlanAllotment.bucketId(period));
            if (period.isBefore(firstPeriod) || (known != null && !Ledger.undecided(known[1], now))) continue;
            writeBuckets(tx); // a rollover allotment carries what the previous month has left, as drawn
            Ledger.ensurePlanBucket(tx, orgId, plan(tx, catalog), period, now);
            planBucketsStored(tx); // the period is within the range loaded: its bucket is read with the others
        }
        List<CreditBucket> out = new ArrayList<>();
        for (CreditBucket[] b : buckets.values()) {
            CreditBucket c = b[1];
            if ((c.validFrom() == null || c.validFrom().isBefore(to)) && (c.expiresAt() == null || c.expiresAt().isAfter(from))) out.add(c);
        }
        return out;
    }

    /**
     * Reads the plan buckets this book holds again, as stored (none has draws not written): storing
     * an allotment may have stored others and moved what the month before had left.
     */
    private void planBucketsStored(Connection tx) throws SQLException {
        for (CreditBucket[] b : buckets.values()) {
            if (b[1].kind() != CreditBucket.Kind.PLAN) continue;
            CreditBucket stored = Ledger.bucket(tx, orgId, b[1].id());
            b[0] = stored;
            b[1] = stored;
        }
        if (loadedFrom != null) {
            for (CreditBucket b : Ledger.bucketsOverlapping(tx, orgId, loadedFrom, loadedTo)) buckets.putIfAbsent(b.id(), new CreditBucket[] {b, b});
        }
        snapshots.clear(); // they counted these allotments as they would be; now the rows have them
        wroteThrough = true;
    }

    /** Records the draw: the buckets as they now stand. */
    void drawn(List<CreditBucket> changed) {
        for (CreditBucket c : changed) {
            CreditBucket[] b = buckets.get(c.id());
            if (b == null) throw new IllegalStateException("bucket " + c.id() + " of org " + orgId + " was drawn without being read");
            b[1] = c;
        }
    }

    /** Writes the buckets drawn in this batch so far. */
    private void writeBuckets(Connection tx) throws SQLException {
        BulkWrites w = new BulkWrites();
        if (!addBuckets(w)) return;
        w.write(tx, postgres);
        snapshots.clear(); // the draw moved from this book into the rows
        wroteThrough = true;
    }

    /** Adds the buckets drawn and not written yet to {@code w}, as written; false when there are none. */
    private boolean addBuckets(BulkWrites w) {
        boolean any = false;
        for (CreditBucket[] b : buckets.values()) {
            if (b[0].consumedMicros() == b[1].consumedMicros()) continue;
            w.add(BulkWrites.Statement.BUCKETS_DRAWN, b[1].consumedMicros(), orgId, b[1].id());
            b[0] = b[1];
            any = true;
        }
        return any;
    }

    // ---- totals, rollups, alerts: written by flush ----

    void addPeriodTotals(LocalDate period, PeriodTotals delta) {
        periodDeltas.merge(period, delta, PeriodTotals::plus);
    }

    void addMemberConsumption(LocalDate period, String memberId, long events, long consumedMicros) {
        long[] t = memberDeltas.computeIfAbsent(period, k -> new TreeMap<>()).computeIfAbsent(memberId, k -> new long[2]);
        t[0] = Math.addExact(t[0], events);
        t[1] = Math.addExact(t[1], consumedMicros);
    }

    void addRollups(List<RollupDelta> deltas) {
        for (RollupDelta d : deltas) rollups.merge(d.cell(), d.totals(), UsageTotals::plus);
    }

    void raiseAlerts(Map<LocalDate, Set<String>> membersByPeriod, Instant now) {
        membersByPeriod.forEach((period, members) -> alertMembers.computeIfAbsent(period, k -> new TreeSet<>()).addAll(members));
        alertsAt = now;
    }

    // ---- holds ----

    /** Opens the hold: its row is written with the batch's other holds ({@link #writeHolds}). */
    void openHold(Reservations.Reservation r) {
        holdsToInsert.add(r);
        if (knownOpen != null) knownOpen.put(r.id(), new KnownHolds.Hold(r.memberId(), r.amountMicros(), r.expiresAt()));
        holdJournal.add(new HoldChange(r.memberId(), r.amountMicros(), r.expiresAt(), true));
    }

    /**
     * Settles the open hold by its member's event while it has not expired, if there is one: a
     * known hold in memory (its row is written with the batch's other holds), any other by its row.
     * Another member's hold stays open; an expired one stays expired.
     */
    void settleHold(Connection tx, String reservationId, String memberId, String eventId, Instant now) throws SQLException {
        KnownHolds.Hold known = knownOpen == null ? null : knownOpen.get(reservationId);
        if (known != null) {
            if (!known.memberId().equals(memberId) || !known.expiresAt().isAfter(now)) return;
            knownOpen.remove(reservationId);
            settlementsToWrite.add(new Reservations.Settlement(reservationId, memberId, eventId, now));
            holdJournal.add(new HoldChange(known.memberId(), known.amountMicros(), known.expiresAt(), false));
            return;
        }
        writeHolds(tx); // the row must show this batch's holds
        Reservations.Closed closed = Reservations.settle(tx, orgId, reservationId, memberId, eventId, now);
        if (closed != null) holdJournal.add(new HoldChange(closed.memberId(), closed.amountMicros(), closed.expiresAt(), false));
    }

    /** Records a hold released in this batch by plain SQL (as it was when open), after {@link #writeHolds}. */
    void holdReleased(Reservations.Reservation r) {
        if (knownOpen != null) knownOpen.remove(r.id());
        holdJournal.add(new HoldChange(r.memberId(), r.amountMicros(), r.expiresAt(), false));
    }

    /**
     * Writes the holds opened and the known holds settled in this batch: before anything reads
     * or changes the org's reservation rows (and, with the batch's other rows, when it flushes).
     */
    void writeHolds(Connection tx) throws SQLException {
        if (holdsToInsert.isEmpty() && settlementsToWrite.isEmpty()) return;
        BulkWrites w = new BulkWrites();
        addHolds(w);
        w.write(tx, postgres);
        checkSettled(w);
    }

    private void addHolds(BulkWrites w) {
        for (Reservations.Reservation r : holdsToInsert) {
            w.add(BulkWrites.Statement.HOLDS_OPENED, r.orgId(), r.id(), r.memberId(), r.modelId(), r.activity(), r.amountMicros(), "PENDING",
                    Times.micros(r.createdAt()), Times.micros(r.expiresAt()));
        }
        holdsToInsert.clear();
        for (Reservations.Settlement s : settlementsToWrite) {
            w.add(BulkWrites.Statement.HOLDS_SETTLED, s.eventId(), Times.micros(s.at()), orgId, s.reservationId(), s.memberId());
        }
        settlementsToWrite.clear();
    }

    /**
     * A known hold whose row was not open when settled means the org's rows changed where this
     * writer did not see it: what it knows of the org is forgotten and the batch is applied again
     * ({@link KnownHolds.Stale}).
     */
    static void checkSettled(BulkWrites w) {
        boolean[] applied = w.applied(BulkWrites.Statement.HOLDS_SETTLED);
        List<Object[]> rows = w.rows(BulkWrites.Statement.HOLDS_SETTLED);
        List<String> notOpen = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) if (!applied[i]) notOpen.add("org " + rows.get(i)[2] + " hold " + rows.get(i)[3]);
        if (!notOpen.isEmpty()) throw new KnownHolds.Stale("holds known open were not open: " + notOpen);
    }

    /**
     * The member's decision snapshot: read from the rows once per batch, then kept true by this
     * book (consumption, draw and holds of the batch). Every member's snapshot in the batch is as
     * of its first decision ({@link #decisionsAsOf}), so holds that expire during the batch count
     * for every decision until its end: a decision may be stricter, never looser, and never sees
     * a hold opened in place of an expired one beside that expired one (one member's view read
     * before the expiry, another's after it, gave answers below zero).
     */
    Enforcement.Snapshot snapshot(Connection tx, Catalog catalog, String memberId, Instant at) throws SQLException {
        if (decisionsAsOf == null || at.isBefore(decisionsAsOf)) decisionsAsOf = at;
        Instant now = decisionsAsOf;
        // Without this month's allotment stored, a snapshot computes it from the rows (a rollover from
        // the previous month's): those rows must hold this batch's draw.
        if (!buckets.containsKey(PlanAllotment.bucketId(Periods.periodStart(now)))) writeBuckets(tx);
        SnapshotRead read = snapshots.get(memberId);
        if (read == null) {
            DecisionCache.Entry before = fromBeforeTheBatch(memberId, now);
            if (before != null) {
                // The rows as they stood before this batch: the whole journal is news to it.
                read = new SnapshotRead(before.snapshot(), Times.instant(before.readAtMicros()), 0);
            } else {
                writeHolds(tx); // the read counts the open holds' rows
                Enforcement.Snapshot fresh = Enforcement.snapshot(tx, catalog, orgId, memberId, now);
                if (!fresh.memberExists()) return fresh;
                read = new SnapshotRead(fresh, now, holdJournal.size());
            }
            snapshots.put(memberId, read);
        }
        return adjust(read, memberId, now);
    }

    /** The cache's entry for the member when it is the org's state just before this batch, valid now; else null. */
    private DecisionCache.Entry fromBeforeTheBatch(String memberId, Instant now) {
        if (decisions == null || version < 0 || wroteThrough) return null;
        DecisionCache.Entry e = decisions.entry(orgId, memberId);
        return e != null && isBeforeTheBatch(e, Times.micros(now)) ? e : null;
    }

    /** The entry holds the org's state just before this batch (the version the batch bumped), valid now. */
    private boolean isBeforeTheBatch(DecisionCache.Entry e, long nowMicros) {
        return e.snapshot().version() == version - 1 && e.validAt(nowMicros);
    }

    /**
     * The decision cache's entries for this org as the batch's commit will leave it: each entry
     * from just before the batch, and each snapshot read during it, plus what the batch changed
     * ({@link #adjust}), under the version the batch commits with. Valid until the earliest of
     * their own end and the expiry of any hold opened in the batch. Empty without a cache.
     */
    Map<String, DecisionCache.Entry> decisionsAtCommit(Instant now) {
        if (decisions == null || version < 0) return Map.of();
        long nowMicros = Times.micros(now);
        long holdsEnd = Long.MAX_VALUE;
        for (HoldChange h : holdJournal) if (h.opened()) holdsEnd = Math.min(holdsEnd, Times.micros(h.expiresAt()));
        Map<String, DecisionCache.Entry> out = new HashMap<>();
        if (!wroteThrough) {
            for (var e : decisions.entries(orgId).entrySet()) {
                DecisionCache.Entry before = e.getValue();
                if (!isBeforeTheBatch(before, nowMicros)) continue;
                out.put(e.getKey(), carried(new SnapshotRead(before.snapshot(), Times.instant(before.readAtMicros()), 0), e.getKey(), now, holdsEnd));
            }
        }
        for (var e : snapshots.entrySet()) {
            SnapshotRead read = e.getValue();
            long readAt = Times.micros(read.at());
            if (read.snapshot().version() != version || nowMicros < readAt || nowMicros >= read.snapshot().validUntilMicros()) continue;
            out.put(e.getKey(), carried(read, e.getKey(), now, holdsEnd));
        }
        return out;
    }

    /** Keeps the holds known open as this batch's commit leaves them (to run after the commit). */
    Runnable knownHoldsAtCommit() {
        if (knownHolds == null || version < 0) return () -> {};
        Map<String, KnownHolds.Hold> open = knownOpen;
        return () -> knownHolds.committed(orgId, version, open);
    }

    private DecisionCache.Entry carried(SnapshotRead read, String memberId, Instant now, long holdsEnd) {
        Enforcement.Snapshot s = adjust(read, memberId, now);
        long validUntil = Math.min(read.snapshot().validUntilMicros(), holdsEnd);
        return new DecisionCache.Entry(new Enforcement.Snapshot(s.state(), true, true, s.openHolds(), version, validUntil), Times.micros(read.at()));
    }

    /** Rows as read + what this batch changed since: consumption and draw (never written yet) and holds (since the read). */
    private Enforcement.Snapshot adjust(SnapshotRead read, String memberId, Instant now) {
        AuthState s = read.snapshot().state();
        LocalDate period = Periods.periodStart(now);
        PeriodTotals org = periodDeltas.getOrDefault(period, PeriodTotals.ZERO);
        long[] member = memberDeltas.getOrDefault(period, Map.of()).getOrDefault(memberId, new long[2]);
        long balanceDelta = 0;
        for (CreditBucket[] b : buckets.values()) {
            if (b[0].consumedMicros() != b[1].consumedMicros() && b[1].validAt(now)) {
                balanceDelta = Math.addExact(balanceDelta, b[1].remainingMicros() - b[0].remainingMicros());
            }
        }
        long orgHeld = 0;
        long memberHeld = 0;
        long holds = 0;
        for (HoldChange h : holdJournal.subList(read.journalAt(), holdJournal.size())) {
            // A hold closed now was in the snapshot only if it was still open then.
            if (!h.opened() && !h.expiresAt().isAfter(read.at())) continue;
            long sign = h.opened() ? 1 : -1;
            orgHeld = Math.addExact(orgHeld, sign * h.amountMicros());
            if (h.memberId().equals(memberId)) memberHeld = Math.addExact(memberHeld, sign * h.amountMicros());
            holds += sign;
        }
        AuthState adjusted = new AuthState(s.orgStatus(), s.overage(), s.tokensIncluded(), Math.addExact(s.periodTokensUsed(), org.totalTokens()),
                Math.addExact(s.balanceMicros(), balanceDelta), Math.addExact(s.orgReservedMicros(), orgHeld), s.orgBudget(),
                Math.addExact(s.orgConsumedMicros(), org.consumedMicros()), s.memberBudget(),
                Math.addExact(s.memberConsumedMicros(), member[1]), Math.addExact(s.memberReservedMicros(), memberHeld),
                s.orgRestrictions(), s.memberRestrictions());
        return new Enforcement.Snapshot(adjusted, true, true, read.snapshot().openHolds() + holds, read.snapshot().version(), read.snapshot().validUntilMicros());
    }

    /** Adds what the batch changed and has not written to {@code w}: holds, draw, totals, rollups (the book is then written). */
    void addChanges(BulkWrites w) {
        addHolds(w);
        addBuckets(w);
        for (var e : periodDeltas.entrySet()) {
            PeriodTotals d = e.getValue();
            w.add(BulkWrites.Statement.PERIOD_TOTALS, orgId, e.getKey().toString(), d.events(), d.consumedMicros(), d.overageMicros(),
                    d.nominalMicros(), d.inputTokens(), d.outputTokens(), d.cacheWriteTokens(), d.cacheReadTokens());
        }
        periodDeltas.clear();
        for (var byPeriod : memberDeltas.entrySet()) {
            for (var m : byPeriod.getValue().entrySet()) {
                w.add(BulkWrites.Statement.MEMBER_PERIODS, orgId, byPeriod.getKey().toString(), m.getKey(), m.getValue()[0], m.getValue()[1]);
            }
        }
        memberDeltas.clear();
        Rollups.add(w, orgId, RollupDelta.sorted(rollups));
        rollups.clear();
    }

    /** Raises the alerts the batch's usage calls for, once its changes are written ({@link #addChanges}). */
    void raiseAlerts(Connection tx) throws SQLException {
        if (alertMembers.isEmpty()) return;
        List<CreditBucket> current = new ArrayList<>(buckets.size());
        for (CreditBucket[] b : buckets.values()) current.add(b[1]);
        if (budgets == null) budgets = Enforcement.budgets(tx, orgId);
        Alerts.raise(tx, orgId, budgets, alertMembers, current, alertsAt);
        alertMembers.clear();
    }
}
