/**
 * The credit ledger: buckets of credits (monthly plan allotments and operator grants) and how
 * consumption draws them down.
 *
 * <p>Invariants: a bucket's {@code consumed} never exceeds its {@code credits} and never
 * decreases; an event draws only from buckets valid at its {@code occurredAt}, those expiring
 * first before the others (a grant with no expiry last); whatever no bucket covers is overage
 * of the event's month. Hence for every org: sum of event charges = sum of bucket consumption +
 * overage. All writes go through the single {@link creditline.ledger.LedgerWriter} of a database.
 */
package creditline.ledger;
