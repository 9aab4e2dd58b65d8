/**
 * Pure pricing: rate cards, effective-dated rate versions and the credit formula.
 *
 * <p>Invariants: amounts are {@code long} micro-credits (1 credit = 1,000,000); rates are
 * micro-credits per 1,000,000 tokens (so a rate keeps 6 decimals); no floating point anywhere.
 * An event's charge is computed exactly as a rational number and rounded once, half-up, to the
 * configured scale. A rate version never changes once written; a new version supersedes it
 * from its {@code effectiveFrom}.
 */
package creditline.pricing;
