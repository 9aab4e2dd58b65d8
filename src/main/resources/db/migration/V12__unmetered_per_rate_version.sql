-- A model's unmetered flag becomes part of each rate version, effective-dated like its rates: a
-- version scheduled for next month that makes a model unmetered (or metered again) changes
-- nothing before its effectiveFrom, and a late event is priced as its own time was. Every
-- existing version takes the flag its model has now (what pricing used until this migration).
ALTER TABLE rate_versions ADD COLUMN unmetered BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE rate_versions SET unmetered = (SELECT m.unmetered FROM models m WHERE m.model_id = rate_versions.model_id);
ALTER TABLE models DROP COLUMN unmetered;
