/**
 * Price lists: reads LiteLLM's {@code model_prices_and_context_window.json} into rate cards and
 * imports them into the catalog. An adapter (it reads JSON trees); the diff it plans is pure.
 *
 * <p>Invariants: a USD-per-token cost becomes micro-credits per 1M tokens exactly
 * ({@code usd × 1,000,000 × creditsPerUsd}, rounded half-up once to 6 decimals of a credit); no
 * floating point. An import appends a rate version only to models whose imported card differs
 * from the card in force at the import's {@code effectiveFrom}, all versions in one transaction
 * (all or nothing); every entry of the list is reported as added, changed, unchanged or skipped
 * with its reason. A dry run plans the same and writes nothing.
 */
package creditline.pricelist;
