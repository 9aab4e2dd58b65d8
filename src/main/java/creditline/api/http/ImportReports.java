package creditline.api.http;

import creditline.pricelist.CatalogImport;
import creditline.pricelist.LiteLlm;
import creditline.pricing.Rates;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Renders a price-list import report as JSON (the HTTP answer and the CLI's {@code --json}). */
public final class ImportReports {
    private ImportReports() {}

    public static Map<String, Object> render(CatalogImport.Report r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dryRun", r.dryRun());
        m.put("effectiveFrom", r.effectiveFrom().toString());
        m.put("creditsPerUsd", r.creditsPerUsd().stripTrailingZeros().toPlainString());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("entries", r.entries());
        summary.put("added", r.added().size());
        summary.put("changed", r.changed().size());
        summary.put("unchanged", r.unchanged().size());
        summary.put("skipped", r.skipped().size());
        m.put("summary", summary);
        m.put("added", changes(r.added(), r));
        m.put("changed", changes(r.changed(), r));
        m.put("unchanged", r.unchanged());
        List<Object> skipped = new ArrayList<>();
        for (LiteLlm.Skipped s : r.skipped()) skipped.add(Map.of("model", s.modelId(), "reason", s.reason()));
        m.put("skipped", skipped);
        return m;
    }

    private static List<Object> changes(List<CatalogImport.Change> changes, CatalogImport.Report r) {
        List<Object> out = new ArrayList<>();
        for (CatalogImport.Change c : changes) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", c.modelId());
            m.put("provider", c.provider());
            m.put("fromVersion", c.fromVersion());
            m.put("version", r.versions().get(c.modelId()));
            m.put("diff", diff(c.before() == null ? Rates.NONE : c.before(), c.after()));
            m.put("rates", Views.rates(c.after()));
            if (!c.ignoredFields().isEmpty()) m.put("ignoredFields", c.ignoredFields());
            out.add(m);
        }
        return out;
    }

    /** {@code field: {from, to}} for every rate that differs (tier fields as {@code longContextTier.field}). */
    public static Map<String, Object> diff(Rates before, Rates after) {
        Map<String, Object> from = flat(Views.rates(before));
        Map<String, Object> to = flat(Views.rates(after));
        Map<String, Object> out = new LinkedHashMap<>();
        for (String key : union(from, to)) {
            Object a = from.get(key);
            Object b = to.get(key);
            if (!Objects.equals(a, b)) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("from", a);
                d.put("to", b);
                out.put(key, d);
            }
        }
        return out;
    }

    private static List<String> union(Map<String, Object> a, Map<String, Object> b) {
        List<String> keys = new ArrayList<>(a.keySet());
        for (String k : b.keySet()) if (!a.containsKey(k)) keys.add(k);
        return keys;
    }

    private static Map<String, Object> flat(Map<String, Object> rates) {
        Map<String, Object> out = new LinkedHashMap<>();
        rates.forEach((k, v) -> {
            if (v instanceof Map<?, ?> nested) nested.forEach((nk, nv) -> out.put(k + "." + nk, nv));
            else if (v != null) out.put(k, v);
        });
        return out;
    }
}
