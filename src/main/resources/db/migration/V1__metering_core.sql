-- Creditline metering core. Times are epoch microseconds (UTC), amounts micro-credits.
-- Catalog tables (plans, models, rate_versions) are deployment-wide reference tables;
-- every other table is keyed by org_id first.
CREATE TABLE plans (
  plan_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  monthly_price_minor BIGINT NOT NULL,
  currency TEXT NOT NULL,
  credits_included_micros BIGINT NOT NULL,
  tokens_included BIGINT,
  overage TEXT NOT NULL,
  overage_price_per_credit_minor_micros BIGINT,
  features TEXT NOT NULL,
  rollover BOOLEAN NOT NULL,
  updated_at_micros BIGINT NOT NULL
);

CREATE TABLE models (
  model_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  provider TEXT NOT NULL,
  unmetered BOOLEAN NOT NULL,
  updated_at_micros BIGINT NOT NULL
);

CREATE TABLE rate_versions (
  model_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  effective_from_micros BIGINT NOT NULL,
  input_per_1m_micros BIGINT,
  output_per_1m_micros BIGINT,
  cache_write_per_1m_micros BIGINT,
  cache_read_per_1m_micros BIGINT,
  cached_input_per_1m_micros BIGINT,
  per_request_micros BIGINT,
  per_tool_call_micros BIGINT,
  created_at_micros BIGINT NOT NULL,
  PRIMARY KEY (model_id, version)
);

CREATE TABLE orgs (
  org_id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at_micros BIGINT NOT NULL
);

CREATE TABLE subscription_changes (
  org_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  changed_at_micros BIGINT NOT NULL,
  from_plan_id TEXT,
  to_plan_id TEXT NOT NULL,
  PRIMARY KEY (org_id, seq)
);

CREATE TABLE members (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  role TEXT NOT NULL,
  type TEXT NOT NULL,
  created_at_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id)
);

CREATE TABLE api_keys (
  org_id TEXT NOT NULL,
  key_id TEXT NOT NULL,
  role TEXT NOT NULL,
  member_id TEXT,
  key_hash TEXT NOT NULL UNIQUE,
  created_at_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, key_id)
);

CREATE TABLE credit_buckets (
  org_id TEXT NOT NULL,
  bucket_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  credits_micros BIGINT NOT NULL,
  consumed_micros BIGINT NOT NULL,
  valid_from_micros BIGINT,
  expires_at_micros BIGINT,
  reason TEXT NOT NULL,
  created_at_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, bucket_id),
  CHECK (consumed_micros >= 0 AND consumed_micros <= credits_micros OR kind = 'PLAN')
);

CREATE TABLE usage_periods (
  org_id TEXT NOT NULL,
  period_start TEXT NOT NULL,
  events BIGINT NOT NULL,
  consumed_micros BIGINT NOT NULL,
  overage_micros BIGINT NOT NULL,
  nominal_micros BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  PRIMARY KEY (org_id, period_start)
);

CREATE TABLE usage_events (
  org_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  activity TEXT NOT NULL,
  occurred_at_micros BIGINT NOT NULL,
  received_at_micros BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  cache_write_tokens BIGINT NOT NULL,
  cache_read_tokens BIGINT NOT NULL,
  tool_calls BIGINT NOT NULL,
  rate_version INTEGER,
  charged_micros BIGINT NOT NULL,
  nominal_micros BIGINT NOT NULL,
  unmetered_reason TEXT,
  reservation_id TEXT,
  agent TEXT,
  conversation TEXT,
  task TEXT,
  session TEXT,
  latency_ms BIGINT,
  status TEXT,
  region TEXT,
  retries BIGINT,
  iterations BIGINT,
  external_calls BIGINT,
  context_bytes BIGINT,
  metadata TEXT,
  PRIMARY KEY (org_id, event_id)
);
CREATE INDEX usage_events_org_time ON usage_events (org_id, occurred_at_micros);
