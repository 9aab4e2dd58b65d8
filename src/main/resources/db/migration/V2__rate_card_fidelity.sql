-- Pricing fidelity: 1-hour cache-write rates, per-modality rates, one long-context tier per rate
-- version, and the matching token buckets of usage events. Only added columns: every existing
-- rate version and event keeps its meaning (new rates not configured, new buckets 0).
ALTER TABLE rate_versions ADD COLUMN cache_write_1h_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN audio_input_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN audio_output_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN image_input_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN image_output_per_1m_micros BIGINT;
-- The tier: absent when tier_threshold_tokens is NULL; tier_rule is WHOLE_REQUEST or PER_BUCKET.
ALTER TABLE rate_versions ADD COLUMN tier_threshold_tokens BIGINT;
ALTER TABLE rate_versions ADD COLUMN tier_rule TEXT;
ALTER TABLE rate_versions ADD COLUMN tier_input_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN tier_output_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN tier_cache_write_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN tier_cache_write_1h_per_1m_micros BIGINT;
ALTER TABLE rate_versions ADD COLUMN tier_cache_read_per_1m_micros BIGINT;

ALTER TABLE usage_events ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN audio_input_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN audio_output_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN image_input_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE usage_events ADD COLUMN image_output_tokens BIGINT NOT NULL DEFAULT 0;
