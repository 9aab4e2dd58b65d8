-- Usage rollups, written in the transaction that records the events (no refresh job, no lag).
-- Same SQL on SQLite and PostgreSQL. epoch_day is the UTC day of the event's occurredAt, in days
-- since 1970-01-01 (occurred_at_micros / 86400000000), so a late event lands on its own day.
-- agent '' = the event named no agent. Tokens in the four reference buckets, as usage_periods
-- keeps them: audio and image input count as input, their output as output, 1-hour cache writes
-- as cache writes.

-- The detail: one row per org, member, day, model, activity and agent. Serves a member's own
-- usage, the model breakdown of member rows and the members CSV.
CREATE TABLE usage_rollups (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  epoch_day INTEGER NOT NULL,
  model_id TEXT NOT NULL,
  activity TEXT NOT NULL,
  agent TEXT NOT NULL,
  events BIGINT NOT NULL,
  charged_micros BIGINT NOT NULL,
  nominal_micros BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id, epoch_day, model_id, activity, agent)
);
-- The member table's model breakdown from the index alone: the rows of a member's days are
-- together here, while the table keeps them in the order they were first written.
CREATE INDEX usage_rollups_models ON usage_rollups (org_id, member_id, epoch_day, model_id, charged_micros, events);

-- The org's days by model, and by activity and agent: what the org summary and the model
-- distribution read (a few dozen rows per day, whatever the number of members).
CREATE TABLE usage_org_models (
  org_id TEXT NOT NULL,
  epoch_day INTEGER NOT NULL,
  model_id TEXT NOT NULL,
  events BIGINT NOT NULL,
  charged_micros BIGINT NOT NULL,
  nominal_micros BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  PRIMARY KEY (org_id, epoch_day, model_id)
);

CREATE TABLE usage_org_activities (
  org_id TEXT NOT NULL,
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
  PRIMARY KEY (org_id, epoch_day, activity, agent)
);

-- Running totals per member: a row per day the member had usage, holding everything up to and
-- including that day. A member's total over [from, to) is two index lookups (the last row
-- before `to` minus the last row before `from`), whatever the range or the history: the member
-- table ranks 10,000 members without summing 300,000 member-days. The second index holds the
-- totals too, so a lookup never visits the table.
CREATE TABLE usage_member_running (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  epoch_day INTEGER NOT NULL,
  events_running BIGINT NOT NULL,
  charged_micros_running BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id, epoch_day)
);
CREATE INDEX usage_member_running_totals ON usage_member_running (org_id, member_id, epoch_day, charged_micros_running, events_running);

-- Members removed from the org: their recorded usage stays, so the member table still lists them
-- for ranges where they had usage (written when a member is deleted).
CREATE TABLE usage_removed_members (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  PRIMARY KEY (org_id, member_id)
);

-- Usage recorded before this migration, rolled up the same way.
INSERT INTO usage_rollups (org_id, member_id, epoch_day, model_id, activity, agent, events, charged_micros, nominal_micros,
  input_tokens, output_tokens, cache_write_tokens, cache_read_tokens)
SELECT org_id, member_id, occurred_at_micros / 86400000000, model_id, activity, COALESCE(agent, ''), COUNT(*), SUM(charged_micros),
  SUM(nominal_micros), SUM(input_tokens + audio_input_tokens + image_input_tokens),
  SUM(output_tokens + audio_output_tokens + image_output_tokens), SUM(cache_write_tokens + cache_write_1h_tokens), SUM(cache_read_tokens)
FROM usage_events
GROUP BY org_id, member_id, occurred_at_micros / 86400000000, model_id, activity, COALESCE(agent, '');

INSERT INTO usage_org_models (org_id, epoch_day, model_id, events, charged_micros, nominal_micros,
  input_tokens, output_tokens, cache_write_tokens, cache_read_tokens)
SELECT org_id, epoch_day, model_id, SUM(events), SUM(charged_micros), SUM(nominal_micros),
  SUM(input_tokens), SUM(output_tokens), SUM(cache_write_tokens), SUM(cache_read_tokens)
FROM usage_rollups
GROUP BY org_id, epoch_day, model_id;

INSERT INTO usage_org_activities (org_id, epoch_day, activity, agent, events, charged_micros, nominal_micros,
  input_tokens, output_tokens, cache_write_tokens, cache_read_tokens)
SELECT org_id, epoch_day, activity, agent, SUM(events), SUM(charged_micros), SUM(nominal_micros),
  SUM(input_tokens), SUM(output_tokens), SUM(cache_write_tokens), SUM(cache_read_tokens)
FROM usage_rollups
GROUP BY org_id, epoch_day, activity, agent;

INSERT INTO usage_member_running (org_id, member_id, epoch_day, events_running, charged_micros_running)
SELECT org_id, member_id, epoch_day,
  SUM(SUM(events)) OVER (PARTITION BY org_id, member_id ORDER BY epoch_day),
  SUM(SUM(charged_micros)) OVER (PARTITION BY org_id, member_id ORDER BY epoch_day)
FROM usage_rollups
GROUP BY org_id, member_id, epoch_day;

INSERT INTO usage_removed_members (org_id, member_id)
SELECT DISTINCT r.org_id, r.member_id FROM usage_rollups r
WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.org_id = r.org_id AND m.member_id = r.member_id);
