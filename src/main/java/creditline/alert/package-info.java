/**
 * Alerts: thresholds of budgets and of the plan balance, notifications and webhook delivery.
 *
 * <p>Invariants: a notification is raised at most once per (org, period, scope, member,
 * threshold) — a unique key in the database, so it holds across retries, replays and
 * instances. It is written, with one outbox row per subscribed webhook, in the same
 * transaction as the usage that crossed the threshold, so none is lost on a crash. Delivery is
 * at least once, signed, retried with exponential backoff. Alerts do not depend on enforcement.
 */
package creditline.alert;
