/**
 * Usage events and the mapping of providers' native usage objects to billed token buckets.
 *
 * <p>Invariants: an event's id is its idempotency key within its org, forever: a second event
 * with the same (org, id) is a duplicate and changes nothing. An event is priced once, with the
 * rate version in force at its {@code occurredAt}, and stores that version and every token
 * bucket. Native usage objects are mapped without double counting: a breakdown is subtracted
 * from the total that includes it, never added to it; an inconsistent object (e.g. cached &gt;
 * prompt) is rejected with a message naming the fields, never priced negative.
 */
package creditline.usage;
