-- One member's usage (GET /v1/me/usage, a member's summary) by model and by activity and agent,
-- from two tables keyed by member and day, instead of the detail usage_rollups, which kept one
-- row per member, day, model, activity and agent: in a batch of usage nearly one upsert per event,
-- read by that summary alone. usage_member_models (V5, the member table's model breakdown) gains
-- the other five measures; usage_member_activities is new. Both hold the same sums the detail did.
--
-- ${withoutRowid}: "WITHOUT ROWID" on SQLite, empty on PostgreSQL (see Database.migrate).
ALTER TABLE usage_member_models ADD COLUMN nominal_micros BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_member_models ADD COLUMN input_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_member_models ADD COLUMN output_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_member_models ADD COLUMN cache_write_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_member_models ADD COLUMN cache_read_tokens BIGINT NOT NULL DEFAULT 0;

UPDATE usage_member_models SET nominal_micros = d.nominal_micros, input_tokens = d.input_tokens, output_tokens = d.output_tokens,
  cache_write_tokens = d.cache_write_tokens, cache_read_tokens = d.cache_read_tokens
FROM (SELECT org_id, member_id, epoch_day, model_id, SUM(nominal_micros) AS nominal_micros, SUM(input_tokens) AS input_tokens,
        SUM(output_tokens) AS output_tokens, SUM(cache_write_tokens) AS cache_write_tokens, SUM(cache_read_tokens) AS cache_read_tokens
      FROM usage_rollups GROUP BY org_id, member_id, epoch_day, model_id) d
WHERE usage_member_models.org_id = d.org_id AND usage_member_models.member_id = d.member_id
  AND usage_member_models.epoch_day = d.epoch_day AND usage_member_models.model_id = d.model_id;

CREATE TABLE usage_member_activities (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  epoch_day INTEGER NOT NULL,
  activity TEXT NOT NULL,
  agent TEXT NOT NULL,
  events BIGINT NOT NULL,
  charged_micros BIGINT NOT NULL,
  nominal_micros BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id, epoch_day, activity, agent)
) ${withoutRowid};

INSERT INTO usage_member_activities (org_id, member_id, epoch_day, activity, agent, events, charged_micros, nominal_micros,
  input_tokens, output_tokens, cache_write_tokens, cache_read_tokens)
SELECT org_id, member_id, epoch_day, activity, agent, SUM(events), SUM(charged_micros), SUM(nominal_micros),
  SUM(input_tokens), SUM(output_tokens), SUM(cache_write_tokens), SUM(cache_read_tokens)
FROM usage_rollups
GROUP BY org_id, member_id, epoch_day, activity, agent;

DROP TABLE usage_rollups;
