-- A version of each org's decision state: the writer adds one to it in every write transaction
-- that changes the org's rows (usage, reservations, budgets, restrictions, plan, grants, status;
-- a plan's edit bumps every org on the plan). authorize keeps decision snapshots in memory and
-- uses one only while this version is unchanged, so a snapshot is never staler than the last
-- commit, whichever instance made it (several servers may share one PostgreSQL database).
-- (V6 is left to the analytics migration being written alongside.)
ALTER TABLE orgs ADD COLUMN state_version BIGINT NOT NULL DEFAULT 0;
