package creditline.pricing;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A priced model. {@code versions} is ordered by version number; the version in force at an
 * instant is the one with the latest {@code effectiveFrom} not after it (ties: the higher
 * version wins, so a correction with the same date supersedes the earlier entry).
 */
public record Model(String id, String name, String provider, List<RateVersion> versions) {
    /**
     * Model ids: 1-128 characters of letters, digits and {@code ._:/@+-}, starting with a letter or
     * digit, with no empty path segment, not ending in {@code /rates} (that path lists a model's rate versions).
     */
    public static final Pattern ID = Pattern.compile("(?!.*/rates$)(?!.*/$)(?!.*//)[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,127}");
    /** What {@link #ID} takes, in words. */
    public static final String ID_RULE = "1-128 characters of letters, digits and ._:/@+- starting with a letter or digit, with no empty"
            + " path segment (no '//', no '/' at the end) and not ending in /rates";

    public Model {
        versions = List.copyOf(versions);
    }

    /** The version in force at {@code at}, or {@code null} when no version is effective yet (priced as 0). */
    public RateVersion versionAt(java.time.Instant at) {
        RateVersion best = null;
        for (RateVersion v : versions) {
            if (v.effectiveFrom().isAfter(at)) continue;
            if (best == null || !v.effectiveFrom().isBefore(best.effectiveFrom())) best = v;
        }
        return best;
    }

    /** The version that takes effect soonest after {@code at}, or null (ties: the higher version). */
    public RateVersion nextVersionAfter(java.time.Instant at) {
        RateVersion next = null;
        for (RateVersion v : versions) {
            if (!v.effectiveFrom().isAfter(at)) continue;
            if (next == null || v.effectiveFrom().isBefore(next.effectiveFrom())
                    || v.effectiveFrom().equals(next.effectiveFrom()) && v.version() > next.version()) next = v;
        }
        return next;
    }
}
