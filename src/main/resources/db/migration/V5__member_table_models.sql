-- The member table's model breakdown in a table of its own: one row per org, member, UTC day and
-- model (events and credits only), written in the ingest transaction like the other rollups.
-- A page of 50 members over 30 days reads about 6,000 such rows, where the covering index it
-- replaces (usage_rollups_models, one entry per model, activity and agent) held about 24,000;
-- and that index, whose entries held the credits, was rewritten by every detail upsert.
--
-- ${withoutRowid} is "WITHOUT ROWID" on SQLite (the rows live in their key's B-tree: one tree to
-- write and read, no separate rowid table) and empty on PostgreSQL (see Database.migrate).
CREATE TABLE usage_member_models (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  epoch_day INTEGER NOT NULL,
  model_id TEXT NOT NULL,
  events BIGINT NOT NULL,
  charged_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id, epoch_day, model_id)
) ${withoutRowid};

INSERT INTO usage_member_models (org_id, member_id, epoch_day, model_id, events, charged_micros)
SELECT org_id, member_id, epoch_day, model_id, SUM(events), SUM(charged_micros)
FROM usage_rollups
GROUP BY org_id, member_id, epoch_day, model_id;

DROP INDEX usage_rollups_models;
