-- Each member's usage so far in one row: the first and last UTC day with usage, and the events
-- and credits of every day (the latest row of usage_member_running, kept apart). Written in the
-- ingest transaction like the other rollups.
--
-- The member table ranks by credits in a range [from, to) as R(to) - R(from), R(d) being the
-- member's running total before day d: 0 when d <= first_day, the total here when d > last_day,
-- and a lookup of usage_member_running only when d falls inside the member's history. A range
-- that ends after the last usage (the dashboard's "last N days") needs one lookup per member at
-- most, none when it also starts before the member's first day; the org's rows are read in one
-- ordered scan, not a lookup per member.
--
-- ${withoutRowid}: "WITHOUT ROWID" on SQLite, empty on PostgreSQL (see Database.migrate).
CREATE TABLE usage_member_totals (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  first_day INTEGER NOT NULL,
  last_day INTEGER NOT NULL,
  events BIGINT NOT NULL,
  charged_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id)
) ${withoutRowid};

-- Usage recorded before this migration: a member's last running row holds their totals.
INSERT INTO usage_member_totals (org_id, member_id, first_day, last_day, events, charged_micros)
SELECT r.org_id, r.member_id, d.first_day, r.epoch_day, r.events_running, r.charged_micros_running
FROM usage_member_running r
JOIN (SELECT org_id, member_id, MIN(epoch_day) AS first_day, MAX(epoch_day) AS last_day
      FROM usage_member_running GROUP BY org_id, member_id) d
  ON r.org_id = d.org_id AND r.member_id = d.member_id AND r.epoch_day = d.last_day;
