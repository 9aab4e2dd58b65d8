-- Each member's credits by day in blocks of 32 UTC days, a block starting every 16 days: one row
-- per org, block and member with usage in the block, written in the ingest transaction like the
-- other rollups. Block k covers the days 16k to 16k + 31 (epoch days, days before 1970 included),
-- so every day lies in two blocks (k - 1 and k for k = floor(day / 16)), and every other block
-- (the even ones, or the odd ones) partitions the days. cNN holds the member's credits (micro)
-- from the block's first day through its day NN (epoch_day - 16 * block): a running total within
-- the block, so c31 is the block's total.
--
-- The member table ranks by credits in a range [from, to) that starts or ends inside the org's
-- history by reading the org's rows of the blocks the range touches in the partition where it
-- touches fewest (one block for a range of up to 17 days, one or two up to 33), with one
-- difference per row: 10,000 rows a block for 10,000 members, no lookup per member. A range
-- covering the org's whole history still reads usage_member_totals (V6). This replaces
-- usage_member_running (V4), whose one or two index lookups per member (2-4 µs each on
-- PostgreSQL, 20,000 of them: 69 ms for a 7-day window's ranking statement on the 10 M bench
-- database) kept the 7-day pages above 50 ms there.
--
-- ${withoutRowid}: "WITHOUT ROWID" on SQLite, empty on PostgreSQL (see Database.migrate).
CREATE TABLE usage_member_blocks (
  org_id TEXT NOT NULL,
  block INTEGER NOT NULL,
  member_id TEXT NOT NULL,
  c00 BIGINT NOT NULL,
  c01 BIGINT NOT NULL,
  c02 BIGINT NOT NULL,
  c03 BIGINT NOT NULL,
  c04 BIGINT NOT NULL,
  c05 BIGINT NOT NULL,
  c06 BIGINT NOT NULL,
  c07 BIGINT NOT NULL,
  c08 BIGINT NOT NULL,
  c09 BIGINT NOT NULL,
  c10 BIGINT NOT NULL,
  c11 BIGINT NOT NULL,
  c12 BIGINT NOT NULL,
  c13 BIGINT NOT NULL,
  c14 BIGINT NOT NULL,
  c15 BIGINT NOT NULL,
  c16 BIGINT NOT NULL,
  c17 BIGINT NOT NULL,
  c18 BIGINT NOT NULL,
  c19 BIGINT NOT NULL,
  c20 BIGINT NOT NULL,
  c21 BIGINT NOT NULL,
  c22 BIGINT NOT NULL,
  c23 BIGINT NOT NULL,
  c24 BIGINT NOT NULL,
  c25 BIGINT NOT NULL,
  c26 BIGINT NOT NULL,
  c27 BIGINT NOT NULL,
  c28 BIGINT NOT NULL,
  c29 BIGINT NOT NULL,
  c30 BIGINT NOT NULL,
  c31 BIGINT NOT NULL,
  PRIMARY KEY (org_id, block, member_id)
) ${withoutRowid};

-- Usage recorded before this migration, from each member's days by model (V5): every day in the
-- first half of its block k and in the second half of block k - 1 (day_in_half: the day minus
-- 16 * k, rounded down as Java's floorMod for days before 1970 too).
INSERT INTO usage_member_blocks (org_id, block, member_id, c00, c01, c02, c03, c04, c05, c06, c07, c08, c09, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, c30, c31)
SELECT org_id, block, member_id,
  SUM(CASE WHEN day_in_block <= 0 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 1 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 2 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 3 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 4 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 5 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 6 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 7 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 8 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 9 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 10 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 11 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 12 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 13 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 14 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 15 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 16 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 17 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 18 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 19 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 20 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 21 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 22 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 23 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 24 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 25 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 26 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 27 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 28 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 29 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 30 THEN charged_micros ELSE 0 END),
  SUM(CASE WHEN day_in_block <= 31 THEN charged_micros ELSE 0 END)
FROM (SELECT org_id, member_id, (epoch_day - day_in_half) / 16 AS block, day_in_half AS day_in_block, charged_micros
      FROM (SELECT org_id, member_id, epoch_day, ((epoch_day % 16) + 16) % 16 AS day_in_half, charged_micros FROM usage_member_models) h
      UNION ALL
      SELECT org_id, member_id, (epoch_day - day_in_half) / 16 - 1, day_in_half + 16, charged_micros
      FROM (SELECT org_id, member_id, epoch_day, ((epoch_day % 16) + 16) % 16 AS day_in_half, charged_micros FROM usage_member_models) h) d
GROUP BY org_id, block, member_id;

-- Nothing reads the running totals any more (the member table lists a removed member with usage
-- in the range from usage_member_models).
DROP TABLE usage_member_running;
