package creditline.store;

import creditline.budget.BudgetSettings;
import creditline.ledger.CreditBucket;
import creditline.plan.Periods;
import creditline.pricing.Model;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a write batch's commands will read, declared before they run, so that on PostgreSQL the
 * writer reads it all with the orgs' lock, in one round trip, instead of a round trip per read
 * as the commands come to it: models, members with their restrictions, the buckets of the
 * periods used, budgets. Read after the lock, inside the batch's transaction, it is what the
 * commands would have read themselves; the batch forgets it when a command runs plain SQL.
 */
final class BatchReads {
    private final Set<String> models = new TreeSet<>();
    private final Map<String, Set<String>> members = new TreeMap<>();
    private final Map<String, Set<LocalDate>> periods = new TreeMap<>();
    /** By org: how many member queries {@link #queries} made. */
    private final Map<String, Integer> memberQueries = new HashMap<>();
    /** By org: the span of months whose buckets {@link #queries} read. */
    private final Map<String, Instant[]> bucketRanges = new HashMap<>();

    /** What was read of one org: members (and restrictions), the buckets overlapping [from, to) (null: none read), budgets. */
    record OrgRead(List<OrgBook.MemberRows> members, Instant bucketsFrom, Instant bucketsTo, List<CreditBucket> buckets,
                   BudgetSettings budgets) {}

    /** Usage of the org's member with the model, occurred at the time: the member, restrictions, model, buckets and budgets it needs. */
    void usage(String orgId, String memberId, String modelId, Instant occurredAt) {
        models.add(modelId);
        members.computeIfAbsent(orgId, k -> new HashSet<>()).add(memberId);
        periods.computeIfAbsent(orgId, k -> new TreeSet<>()).add(Periods.periodStart(occurredAt));
    }

    boolean isEmpty() {
        return models.isEmpty() && members.isEmpty();
    }

    /** The queries that read it all. */
    List<Query<?>> queries() {
        List<Query<?>> out = new ArrayList<>();
        if (!models.isEmpty()) out.add(Catalog.modelsQuery(models));
        for (String orgId : members.keySet()) {
            List<Query<OrgBook.MemberRows>> memberReads = OrgBook.membersQueries(orgId, members.get(orgId));
            memberQueries.put(orgId, memberReads.size());
            out.addAll(memberReads);
            Instant[] range = range(periods.get(orgId));
            bucketRanges.put(orgId, range);
            out.add(Ledger.bucketsOverlappingQuery(orgId, range[0], range[1]));
            out.add(Enforcement.budgetsQuery(orgId));
        }
        return out;
    }

    /** From the first period's start to the last's end. */
    private static Instant[] range(Set<LocalDate> periods) {
        List<LocalDate> sorted = new ArrayList<>(periods);
        return new Instant[] {Periods.startInstant(sorted.getFirst()), Periods.endInstant(sorted.getLast())};
    }

    /** What {@link #queries} read: the models that exist, and what was read of each org. */
    record Result(Map<String, Model> models, Map<String, OrgRead> orgs) {
        static final Result NONE = new Result(Map.of(), Map.of());
    }

    /** @param read what each of {@link #queries} read, in their order */
    @SuppressWarnings("unchecked")
    Result result(List<Object> read) {
        int i = 0;
        Map<String, Model> readModels = models.isEmpty() ? Map.of() : (Map<String, Model>) read.get(i++);
        Map<String, OrgRead> orgs = new HashMap<>();
        for (String orgId : members.keySet()) {
            List<OrgBook.MemberRows> rows = new ArrayList<>();
            for (int n = memberQueries.get(orgId); n > 0; n--) rows.add((OrgBook.MemberRows) read.get(i++));
            List<CreditBucket> buckets = (List<CreditBucket>) read.get(i++);
            BudgetSettings budgets = (BudgetSettings) read.get(i++);
            Instant[] range = bucketRanges.get(orgId);
            orgs.put(orgId, new OrgRead(rows, range[0], range[1], buckets, budgets));
        }
        return new Result(readModels, orgs);
    }
}
