package creditline.api.http;

import creditline.auth.Member;
import creditline.budget.BudgetSettings;
import creditline.budget.Restrictions;
import creditline.store.Alerts;
import creditline.store.Reservations;
import creditline.ledger.CreditBucket;
import creditline.plan.Balance;
import creditline.plan.Org;
import creditline.plan.Plan;
import creditline.plan.Subscription;
import creditline.pricing.Credits;
import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import creditline.usage.EventOutcome;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders domain values as the JSON shapes of the API contract. */
final class Views {
    private Views() {}

    static String credits(long micros) {
        return Credits.format(micros);
    }

    static Map<String, Object> rates(Rates r) {
        return RatesJson.render(r);
    }

    static Map<String, Object> version(RateVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("effectiveFrom", v.effectiveFrom().toString());
        m.put("rates", rates(v.rates()));
        m.put("unmetered", v.unmetered());
        return m;
    }

    /** The model with the rate version in force at {@code now}. */
    static Map<String, Object> model(Model model, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", model.id());
        m.put("name", model.name());
        m.put("provider", model.provider());
        RateVersion current = model.versionAt(now);
        m.put("unmetered", current != null && current.unmetered());
        m.put("version", current == null ? null : current.version());
        m.put("effectiveFrom", current == null ? null : current.effectiveFrom().toString());
        m.put("rates", rates(current == null ? Rates.NONE : current.rates()));
        m.put("priced", current != null && !current.rates().isUnpriced());
        RateVersion next = model.nextVersionAfter(now);
        if (next != null) m.put("nextVersion", version(next));
        return m;
    }

    static Map<String, Object> plan(Plan p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("monthlyPrice", Map.of("amount", money(p.monthlyPriceMinor(), p.currency()), "currency", p.currency()));
        m.put("creditsIncluded", credits(p.creditsIncludedMicros()));
        m.put("tokensIncluded", p.tokensIncluded());
        m.put("overage", p.overage().name().toLowerCase(Locale.ROOT));
        m.put("overagePricePerCredit", p.overagePricePerCreditMinorMicros() == null ? null
                : BigDecimal.valueOf(p.overagePricePerCreditMinorMicros(), 6 + fractionDigits(p.currency())).stripTrailingZeros().toPlainString());
        m.put("features", p.features());
        m.put("rollover", p.rollover());
        return m;
    }

    static int fractionDigits(String currency) {
        return Math.max(0, Currency.getInstance(currency).getDefaultFractionDigits());
    }

    static String money(long minor, String currency) {
        return BigDecimal.valueOf(minor, fractionDigits(currency)).toPlainString();
    }

    static Map<String, Object> org(Org o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", o.id());
        m.put("name", o.name());
        m.put("planId", o.planId());
        m.put("status", o.status());
        m.put("createdAt", o.createdAt().toString());
        return m;
    }

    static Map<String, Object> member(Member mem) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memberId", mem.memberId());
        m.put("role", mem.role().wire());
        m.put("type", mem.type().wire());
        m.put("createdAt", mem.createdAt().toString());
        return m;
    }

    static Map<String, Object> grant(CreditBucket b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("credits", credits(b.creditsMicros()));
        m.put("remaining", credits(b.remainingMicros()));
        m.put("expiresAt", b.expiresAt() == null ? null : b.expiresAt().toString());
        m.put("reason", b.reason());
        m.put("createdAt", b.createdAt().toString());
        return m;
    }

    static Map<String, Object> balance(Balance b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("credits", credits(b.creditsMicros()));
        m.put("reserved", credits(b.reservedMicros()));
        m.put("available", credits(b.availableMicros()));
        List<Object> grants = new ArrayList<>();
        for (CreditBucket g : b.grants()) grants.add(grant(g));
        m.put("grants", grants);
        return m;
    }

    static Map<String, Object> subscription(Subscription s) {
        Map<String, Object> usage = new LinkedHashMap<>();
        usage.put("creditsUsed", credits(s.creditsUsedMicros()));
        usage.put("creditsLimit", credits(s.allotmentMicros()));
        usage.put("percentUsed", percent(s.creditsUsedMicros(), s.allotmentMicros()));
        usage.put("totalTokensUsed", s.totalTokens());
        usage.put("tokensLimit", s.plan().tokensIncluded());
        usage.put("tokens", Map.of("input", s.inputTokens(), "output", s.outputTokens(),
                "cacheWrite", s.cacheWriteTokens(), "cacheRead", s.cacheReadTokens()));
        usage.put("overageCredits", credits(s.overageMicros()));
        usage.put("events", s.events());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", s.plan().id());
        m.put("planName", s.plan().name());
        m.put("overage", s.plan().overage().name().toLowerCase(Locale.ROOT));
        m.put("status", s.status());
        m.put("periodStart", s.periodStart().toString());
        m.put("periodEnd", s.periodEnd().toString());
        m.put("usage", usage);
        m.put("balance", balance(s.balance()));
        return m;
    }

    /** {@code used / limit * 100}, half-up to 2 decimals; null when there is no limit. */
    static BigDecimal percent(long used, long limit) {
        if (limit <= 0) return null;
        return BigDecimal.valueOf(used).multiply(BigDecimal.valueOf(100)).divide(BigDecimal.valueOf(limit), 2, RoundingMode.HALF_UP);
    }

    static Map<String, Object> outcome(EventOutcome o) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", o.id());
        m.put("status", o.status().name().toLowerCase(Locale.ROOT));
        m.put("credits", credits(o.creditsMicros()));
        if (o.errorCode() != null) m.put("error", Map.of("code", o.errorCode(), "message", o.errorMessage()));
        return m;
    }

    static Map<String, Object> budgets(BudgetSettings b) {
        Map<String, Object> org = new LinkedHashMap<>();
        org.put("credits", b.org().creditsMicros() == null ? null : credits(b.org().creditsMicros()));
        org.put("enforce", b.org().enforce());
        org.put("notifyAdmin", b.org().notifies());
        org.put("alertPercent", b.org().alertPercent());
        Map<String, Object> member = new LinkedHashMap<>();
        member.put("credits", b.defaultMember().creditsMicros() == null ? null : credits(b.defaultMember().creditsMicros()));
        member.put("enforce", b.defaultMember().enforce());
        member.put("notifyUser", b.defaultMember().notifies());
        member.put("alertPercent", b.defaultMember().alertPercent());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("org", org);
        m.put("defaultMember", member);
        return m;
    }

    static Map<String, Object> restrictions(Restrictions r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models", r.models() == null ? null : new java.util.TreeSet<>(r.models()));
        m.put("activities", r.activities() == null ? null : new java.util.TreeSet<>(r.activities()));
        return m;
    }

    static Map<String, Object> reservation(Reservations.Reservation r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("orgId", r.orgId());
        m.put("memberId", r.memberId());
        m.put("model", r.modelId());
        m.put("activity", r.activity());
        m.put("credits", credits(r.amountMicros()));
        m.put("status", r.status().toLowerCase(Locale.ROOT));
        m.put("createdAt", r.createdAt().toString());
        m.put("expiresAt", r.expiresAt().toString());
        m.put("finishedAt", r.finishedAt() == null ? null : r.finishedAt().toString());
        m.put("settledByEventId", r.settledEventId());
        return m;
    }

    static Map<String, Object> webhook(Alerts.Webhook w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", w.id());
        m.put("url", w.url());
        m.put("events", w.events());
        return m;
    }
}
