/**
 * Usage analytics: date ranges, usage summaries and member tables built from rollups, the
 * request-level export's filter, CSV rules and the bulk budget upload. Pure: no HTTP, SQL or JSON.
 *
 * <p>Invariants: ranges are half-open {@code [from, to)} in UTC days and at most
 * {@link creditline.analytics.DateRange#DAYS_MAX} days; amounts are micro-credits, summed
 * exactly, and the only rounding is the average per day (half-up to a micro-credit). Every view
 * of one range adds up to the same total: summary = sum of days = sum by model = sum by activity
 * = sum by agent = sum of member rows = sum of the exported events' charges. Rollups are written
 * in the transaction that records the events, so they are never behind. Every page, list and
 * file has a limit. CSV written by Creditline is RFC 4180 and formula-neutralized ({@link creditline.analytics.Csv}).
 */
package creditline.analytics;
