/**
 * Plans, billing periods and credit grants.
 *
 * <p>Invariants: a billing period is a calendar month in UTC, half-open
 * {@code [first day 00:00, first day of next month 00:00)}. A plan's monthly allotment is a
 * credit bucket valid for exactly its period; it is never reset by a job: the bucket of a month
 * simply starts fresh when the month does. Money (plan prices) is in minor units with a currency.
 */
package creditline.plan;
