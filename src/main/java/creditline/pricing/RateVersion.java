package creditline.pricing;

import java.time.Instant;

/** One effective-dated version of a model's rate card; versions of a model are numbered from 1. */
public record RateVersion(int version, Instant effectiveFrom, Rates rates, boolean unmetered) {}
