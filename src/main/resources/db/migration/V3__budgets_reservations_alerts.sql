-- Budgets, restrictions, reservations, alerts. Same SQL on SQLite and PostgreSQL.
CREATE TABLE budgets (
  org_id TEXT PRIMARY KEY,
  org_credits_micros BIGINT,
  org_enforce BOOLEAN NOT NULL,
  org_notify BOOLEAN NOT NULL,
  org_alert_percent INTEGER NOT NULL,
  member_credits_micros BIGINT,
  member_enforce BOOLEAN NOT NULL,
  member_notify BOOLEAN NOT NULL,
  member_alert_percent INTEGER NOT NULL,
  updated_at_micros BIGINT NOT NULL
);

-- A row is an override; credits_micros NULL is an explicit "unlimited" override.
CREATE TABLE member_budgets (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  credits_micros BIGINT,
  updated_at_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id)
);

-- member_id '' holds the org-wide allow-lists; NULL lists allow everything.
CREATE TABLE restrictions (
  org_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  models TEXT,
  activities TEXT,
  updated_at_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, member_id)
);

CREATE TABLE member_periods (
  org_id TEXT NOT NULL,
  period_start TEXT NOT NULL,
  member_id TEXT NOT NULL,
  events BIGINT NOT NULL,
  consumed_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, period_start, member_id)
);

CREATE TABLE reservations (
  org_id TEXT NOT NULL,
  reservation_id TEXT NOT NULL,
  member_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  activity TEXT NOT NULL,
  amount_micros BIGINT NOT NULL,
  status TEXT NOT NULL,
  created_at_micros BIGINT NOT NULL,
  expires_at_micros BIGINT NOT NULL,
  finished_at_micros BIGINT,
  settled_event_id TEXT,
  PRIMARY KEY (org_id, reservation_id)
);
CREATE INDEX reservations_open ON reservations (org_id, status, expires_at_micros);

CREATE TABLE notifications (
  org_id TEXT NOT NULL,
  notification_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  member_id TEXT NOT NULL,
  threshold_percent INTEGER NOT NULL,
  period_start TEXT NOT NULL,
  created_at_micros BIGINT NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (org_id, notification_id),
  UNIQUE (org_id, period_start, scope, member_id, threshold_percent)
);

CREATE TABLE webhooks (
  org_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  events TEXT NOT NULL,
  updated_at_micros BIGINT NOT NULL,
  PRIMARY KEY (org_id, webhook_id)
);

-- The outbox: one row per notification and webhook, written in the notification's transaction.
CREATE TABLE webhook_deliveries (
  org_id TEXT NOT NULL,
  delivery_id TEXT NOT NULL,
  webhook_id TEXT NOT NULL,
  notification_id TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_at_micros BIGINT NOT NULL,
  last_error TEXT,
  delivered_at_micros BIGINT,
  PRIMARY KEY (org_id, delivery_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at_micros);

ALTER TABLE usage_events ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;
