/**
 * Usage events and the mapping of providers' native usage objects to billed token buckets.
 *
 * <p>Invariants: an event's id is its idempotency key within its org, forever: a second event
 * with the same (org, id) is a duplicate and changes nothing. An event is priced once, with the
 * rate version in force at its {@code occurredAt}, and stores that version. Native usage objects
 * are mapped without double counting; an inconsistent object (e.g. cached &gt; prompt) is
 * rejected, never priced negative.
 */
package creditline.usage;
