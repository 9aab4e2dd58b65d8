-- The decision lease (PostgreSQL; the tables exist on SQLite too, unused): while one instance is
-- the only one on the database it holds this lease, and authorize then checks a cached decision
-- snapshot's state_version against the versions that instance's own writers committed instead
-- of reading it (see DecisionLease). Every write transaction takes a shared advisory lock and
-- reads this row: it waits while another instance holds a lease that has not run out.
-- Deployment-wide, like plans and models: one row.
CREATE TABLE decision_lease (
    lease_id INTEGER PRIMARY KEY CHECK (lease_id = 1),
    holder TEXT,
    term BIGINT NOT NULL,
    until_micros BIGINT NOT NULL
);
INSERT INTO decision_lease (lease_id, holder, term, until_micros) VALUES (1, NULL, 0, 0);

-- The instances on the database, each renewing its row while it runs: the lease is taken only
-- when no other instance's row is current, and given up as soon as one is.
CREATE TABLE decision_instances (
    instance_id TEXT PRIMARY KEY,
    seen_until_micros BIGINT NOT NULL
);
