-- Backups of an app's named volumes (issue 15). Same conventions as 0004.
-- A backup's subject: 'service' (a managed service's dump; service_id set) or 'volume' (a tar
-- of one named volume of an app: app_id and volume set, service_id ''; engine 'volume';
-- service_name then holds the app's name, so the record stays readable after the app is gone).
-- volume is the mount's source as the app's settings name it ("<team id>-data"); mount_target
-- where the app mounts it, which a restore puts the files back under.
ALTER TABLE service_backups ADD COLUMN subject TEXT NOT NULL DEFAULT 'service';
ALTER TABLE service_backups ADD COLUMN app_id TEXT NOT NULL DEFAULT '';
ALTER TABLE service_backups ADD COLUMN volume TEXT NOT NULL DEFAULT '';
ALTER TABLE service_backups ADD COLUMN mount_target TEXT NOT NULL DEFAULT '';
CREATE INDEX service_backups_by_app ON service_backups (app_id, created_at) WHERE app_id != '';

-- A restore of a volume backup: into a fresh volume (new_volume) that the app is redeployed
-- with (deployment_id), the old volume kept. service_id is '' for them.
ALTER TABLE backup_restores ADD COLUMN app_id TEXT NOT NULL DEFAULT '';
ALTER TABLE backup_restores ADD COLUMN new_volume TEXT NOT NULL DEFAULT '';
ALTER TABLE backup_restores ADD COLUMN deployment_id TEXT NOT NULL DEFAULT '';
