-- The index of an org's holds by expiry holds only open holds. V3's reservations_open kept every
-- hold ever made, under its final status: it grew with the history, and every settlement and
-- release moved an entry to a part of it no query reads. Open holds are read as
-- status = 'PENDING' AND expires_at_micros > now (a decision's snapshot, the org's reserved
-- credits), which this partial index serves on both databases; a hold leaves it when it is
-- settled or released.
DROP INDEX reservations_open;
CREATE INDEX reservations_pending ON reservations (org_id, expires_at_micros) WHERE status = 'PENDING';
