-- The part of a month's plan allotment carried over from the previous month (rollover plans):
-- a plan change within the month keeps it or drops it by the new plan's rule. 0 for grants, for
-- plans without rollover, and for allotments stored before this migration.
ALTER TABLE credit_buckets ADD COLUMN carried_micros BIGINT NOT NULL DEFAULT 0;
