package creditline.pricelist;

import com.fasterxml.jackson.databind.JsonNode;
import creditline.pricing.Model;
import creditline.pricing.RateVersion;
import creditline.pricing.Rates;
import creditline.store.Store;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Imports a price list into the catalog. Each priced entry is compared with the card of its
 * model in force at {@code effectiveFrom}; a new rate version (from {@code effectiveFrom}) is
 * appended only where they differ. The list sets every token rate; what it cannot express is
 * kept from the card in force: the flat rates (per request, per tool call) and the tier rule of
 * a model that already has a tier, and the unmetered flag. An existing model keeps its name and
 * provider; a new one is named by its id, with the list's provider.
 */
public final class CatalogImport {
    private CatalogImport() {}

    /** A model whose card the import sets: {@code before} is null for a new model (or one with no version in force). */
    public record Change(String modelId, String name, String provider, boolean unmetered, Integer fromVersion, Rates before,
                         Rates after, List<String> ignoredFields) {}

    /**
     * What an import did (or, in a dry run, would do). {@code versions} gives the new version
     * number of each added or changed model; empty in a dry run.
     */
    public record Report(boolean dryRun, Instant effectiveFrom, BigDecimal creditsPerUsd, int entries, List<Change> added,
                         List<Change> changed, List<String> unchanged, List<LiteLlm.Skipped> skipped, Map<String, Integer> versions) {
        Report withVersions(Map<String, Integer> newVersions) {
            return new Report(dryRun, effectiveFrom, creditsPerUsd, entries, added, changed, unchanged, skipped, Map.copyOf(newVersions));
        }

        List<Store.NewVersion> writes() {
            List<Store.NewVersion> out = new ArrayList<>(added.size() + changed.size());
            for (List<Change> list : List.of(added, changed)) {
                for (Change c : list) out.add(new Store.NewVersion(c.modelId(), c.name(), c.provider(), c.unmetered(), c.after()));
            }
            return out;
        }
    }

    /** The import's plan against {@code catalog}; pure. */
    public static Report plan(List<LiteLlm.Entry> entries, List<Model> catalog, Instant effectiveFrom, BigDecimal creditsPerUsd,
                              boolean dryRun) {
        Map<String, Model> byId = new HashMap<>();
        for (Model m : catalog) byId.put(m.id(), m);
        List<Change> added = new ArrayList<>();
        List<Change> changed = new ArrayList<>();
        List<String> unchanged = new ArrayList<>();
        List<LiteLlm.Skipped> skipped = new ArrayList<>();
        for (LiteLlm.Entry entry : entries) {
            switch (entry) {
                case LiteLlm.Skipped s -> skipped.add(s);
                case LiteLlm.Priced p -> {
                    Model model = byId.get(p.modelId());
                    if (model == null) {
                        added.add(new Change(p.modelId(), p.modelId(), p.provider(), false, null, null, p.rates(), p.ignoredFields()));
                        continue;
                    }
                    RateVersion inForce = model.versionAt(effectiveFrom);
                    Rates after = keepWhatTheListCannotSay(p.rates(), inForce == null ? null : inForce.rates());
                    if (inForce != null && inForce.rates().equals(after)) {
                        unchanged.add(p.modelId());
                    } else {
                        changed.add(new Change(p.modelId(), model.name(), model.provider(), inForce != null && inForce.unmetered(),
                                inForce == null ? null : inForce.version(), inForce == null ? null : inForce.rates(), after, p.ignoredFields()));
                    }
                }
            }
        }
        return new Report(dryRun, effectiveFrom, creditsPerUsd, entries.size(), List.copyOf(added), List.copyOf(changed),
                List.copyOf(unchanged), List.copyOf(skipped), Map.of());
    }

    private static Rates keepWhatTheListCannotSay(Rates imported, Rates inForce) {
        if (inForce == null) return imported;
        Rates out = imported.withFlatRates(inForce.perRequestMicros(), inForce.perToolCallMicros());
        Rates.Tier t = out.tier();
        if (t != null && inForce.tier() != null && inForce.tier().rule() != t.rule()) {
            out = new Rates(out.inputPer1MMicros(), out.outputPer1MMicros(), out.cacheWritePer1MMicros(), out.cacheReadPer1MMicros(),
                    out.cachedInputPer1MMicros(), out.perRequestMicros(), out.perToolCallMicros(), out.cacheWrite1hPer1MMicros(),
                    out.modality(), new Rates.Tier(t.thresholdTokens(), inForce.tier().rule(), t.inputPer1MMicros(), t.outputPer1MMicros(),
                            t.cacheWritePer1MMicros(), t.cacheWrite1hPer1MMicros(), t.cacheReadPer1MMicros()));
        }
        return out;
    }

    /**
     * Reads {@code priceList} and imports it: in a dry run against the catalog as it is now,
     * otherwise planned and written in one write transaction (all or nothing).
     *
     * @param effectiveFrom when the new versions take effect; null = now
     * @throws IllegalArgumentException when {@code priceList} is not a LiteLLM price list
     */
    public static Report run(Store store, JsonNode priceList, BigDecimal creditsPerUsd, Instant effectiveFrom, boolean dryRun,
                             LiteLlm.Progress progress) {
        List<LiteLlm.Entry> entries = LiteLlm.read(priceList, creditsPerUsd, progress);
        // Stored times keep microseconds: report the instant the versions will carry.
        Instant from = (effectiveFrom == null ? store.clock().instant() : effectiveFrom).truncatedTo(ChronoUnit.MICROS);
        if (dryRun) return plan(entries, store.models(), from, creditsPerUsd, true);
        Report[] planned = new Report[1];
        Map<String, Integer> versions = store.appendVersions(catalog -> {
            planned[0] = plan(entries, catalog, from, creditsPerUsd, false);
            return planned[0].writes();
        }, from);
        return planned[0].withVersions(versions);
    }
}
