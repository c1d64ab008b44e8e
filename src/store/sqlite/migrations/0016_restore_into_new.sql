-- Restores into a new service (issue 15). Same conventions as 0004.
-- A backup keeps what it takes to make a service like the one it came from, so a restore into
-- a new service works after the source service was deleted: the project, the major version and
-- the image ('' on backups taken before this migration: their service must still exist).
ALTER TABLE service_backups ADD COLUMN project_id TEXT NOT NULL DEFAULT '';
ALTER TABLE service_backups ADD COLUMN version TEXT NOT NULL DEFAULT '';
ALTER TABLE service_backups ADD COLUMN image TEXT NOT NULL DEFAULT '';

-- target: 'same' (into the backup's own service, after a safety backup) or 'new' (into a
-- service the restore created; service_id is that service). step gains 'starting_service'.
ALTER TABLE backup_restores ADD COLUMN target TEXT NOT NULL DEFAULT 'same';

-- pruning_at: set by retention, in the transaction that checks no running restore or drill reads
-- the backup, before it deletes the object; a backup being pruned is no longer restored or
-- drilled (cleared again when the delete fails). NULL otherwise.
ALTER TABLE service_backups ADD COLUMN pruning_at TEXT;
