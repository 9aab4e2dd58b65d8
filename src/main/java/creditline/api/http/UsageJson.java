package creditline.api.http;

import creditline.analytics.MemberUsage;
import creditline.analytics.UsageSummary;
import creditline.analytics.UsageTotals;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of the usage views, shared by REST ({@code …/usage/summary}, {@code …/usage/members},
 * {@code /v1/me/usage}) and GraphQL ({@code orgUsage}), so both answer the same fields and values.
 */
public final class UsageJson {
    private UsageJson() {}

    /** The budget's amount; null when unlimited. */
    static String budgetCredits(MemberUsage.Budget b) {
        return b.creditsMicros() == null ? null : Views.credits(b.creditsMicros());
    }

    /** Consumed this month as a percent of the budget; null when unlimited. */
    static BigDecimal usagePercent(MemberUsage.Budget b) {
        return b.creditsMicros() == null ? null : Views.percent(b.consumedMicros(), b.creditsMicros());
    }

    /** A range's summary: totals, average per day, shares by model, activity and agent, and the daily series. */
    public static Map<String, Object> summary(UsageSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("from", s.range().from().toString());
        m.put("to", s.range().to().toString());
        m.put("days", s.range().days());
        m.put("creditsConsumed", Views.credits(s.totals().chargedMicros()));
        m.put("avgCreditsPerDay", Views.credits(s.avgPerDayMicros()));
        m.put("events", s.totals().events());
        m.put("nominalCredits", Views.credits(s.totals().nominalMicros()));
        m.put("tokens", tokens(s.totals()));
        m.put("byModel", shares(s.byModel(), "model", s.totals().chargedMicros()));
        m.put("byActivity", shares(s.byActivity(), "activity", s.totals().chargedMicros()));
        m.put("byAgent", shares(s.byAgent(), "agent", s.totals().chargedMicros()));
        List<Object> daily = new ArrayList<>(s.daily().size());
        for (UsageSummary.Day d : s.daily()) {
            Map<String, Object> day = new LinkedHashMap<>();
            day.put("date", d.date().toString());
            day.put("credits", Views.credits(d.totals().chargedMicros()));
            day.put("events", d.totals().events());
            daily.add(day);
        }
        m.put("daily", daily);
        return m;
    }

    /** One row of the member table. */
    public static Map<String, Object> memberRow(MemberUsage u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memberId", u.memberId());
        m.put("current", u.current());
        m.put("credits", Views.credits(u.chargedMicros()));
        m.put("events", u.events());
        m.put("byModel", shares(u.byModel(), "model", u.chargedMicros()));
        MemberUsage.Budget b = u.budget();
        m.put("budget", budgetCredits(b));
        m.put("budgetEnforced", b.enforce());
        m.put("budgetConsumed", Views.credits(b.consumedMicros()));
        m.put("usagePercent", usagePercent(b));
        return m;
    }

    private static Map<String, Object> tokens(UsageTotals t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", t.inputTokens());
        m.put("output", t.outputTokens());
        m.put("cacheWrite", t.cacheWriteTokens());
        m.put("cacheRead", t.cacheReadTokens());
        return m;
    }

    /** Shares with their percent of the total credits (half-up, 2 decimals; null when nothing was charged). */
    private static List<Object> shares(List<UsageSummary.Share> shares, String keyName, long ofMicros) {
        List<Object> out = new ArrayList<>(shares.size());
        for (UsageSummary.Share s : shares) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(keyName, "agent".equals(keyName) && s.key().isEmpty() ? null : s.key());
            m.put("credits", Views.credits(s.totals().chargedMicros()));
            m.put("events", s.totals().events());
            m.put("percent", Views.percent(s.totals().chargedMicros(), ofMicros));
            out.add(m);
        }
        return out;
    }
}
