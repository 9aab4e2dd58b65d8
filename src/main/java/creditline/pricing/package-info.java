/**
 * Pure pricing: rate cards, effective-dated rate versions and the credit formula.
 *
 * <p>Invariants: amounts are {@code long} micro-credits (1 credit = 1,000,000); rates are
 * micro-credits per 1,000,000 tokens (so a rate keeps 6 decimals); no floating point anywhere.
 * A request's tokens are in nine disjoint billed buckets ({@link creditline.pricing.TokenCounts}),
 * each token in exactly one; each bucket has exactly one rate after the fallbacks and the
 * long-context tier documented on {@link creditline.pricing.Rates}. An event's charge is computed
 * exactly as a rational number and rounded once, half-up, to the configured scale. A rate version
 * never changes once written; a new version supersedes it from its {@code effectiveFrom}.
 */
package creditline.pricing;
