/**
 * Storage on SQLite (embedded default) and PostgreSQL: one schema, Flyway migrations, SQL kept
 * portable between the two.
 *
 * <p>Invariants: every write goes through the database's single {@link creditline.store.BatchingWriter}
 * (group commit: one transaction per batch of commands; on PostgreSQL the org rows a batch
 * touches are locked first, in id order, so several instances neither overspend nor deadlock).
 * A command is acknowledged only after its transaction committed durably. Reads use a pool and
 * never write. Times are stored as epoch microseconds UTC, amounts as micro-credits.
 */
package creditline.store;
