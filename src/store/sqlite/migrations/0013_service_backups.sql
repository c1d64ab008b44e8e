-- Service backups (issue 15, slice 3b). Same conventions as 0004.
-- backup_keys: one X25519 key pair per team; agents get the public key, the secret key is
-- sealed with the master key and opened only to hand one backup's stream key to a restore.
-- service_backups: one row per backup run. sealed_key is the backup's stream key sealed to
-- the team's public key (as in the object's header), base64; size_bytes and sha256 are of the
-- object as stored. A service's backups outlive it (service_id is not a foreign key): deleting
-- a service keeps its last backups. verified: "" (never drilled), "verified" or "failed".

CREATE TABLE backup_keys (
  team_id TEXT NOT NULL PRIMARY KEY REFERENCES teams (id) ON DELETE CASCADE,
  public_key TEXT NOT NULL,
  secret_key_sealed TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE service_backups (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  service_id TEXT NOT NULL,
  service_name TEXT NOT NULL DEFAULT '',
  engine TEXT NOT NULL DEFAULT '',
  server_id TEXT NOT NULL DEFAULT '',
  destination_id TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  trigger TEXT NOT NULL DEFAULT 'manual',
  object_key TEXT NOT NULL DEFAULT '',
  size_bytes INTEGER NOT NULL DEFAULT 0,
  plain_bytes INTEGER NOT NULL DEFAULT 0,
  sha256 TEXT NOT NULL DEFAULT '',
  sealed_key TEXT NOT NULL DEFAULT '',
  job_id TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  verified TEXT NOT NULL DEFAULT '',
  verified_at TEXT,
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX service_backups_by_service ON service_backups (service_id, created_at);
CREATE INDEX service_backups_by_team ON service_backups (team_id, created_at);
CREATE INDEX service_backups_running ON service_backups (status) WHERE status = 'running';

-- backup_restores: one row per restore of a backup into a service. step says where it is
-- (safety_backup, restoring); safety_backup_id is the backup taken of the service first;
-- job_id the backup.restore job whose output streams at /api/v1/jobs/{id}/output.
CREATE TABLE backup_restores (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  backup_id TEXT NOT NULL,
  service_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  step TEXT NOT NULL DEFAULT '',
  safety_backup_id TEXT NOT NULL DEFAULT '',
  job_id TEXT NOT NULL DEFAULT '',
  check_result TEXT NOT NULL DEFAULT '',
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  created_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  finished_at TEXT
);
CREATE INDEX backup_restores_by_backup ON backup_restores (backup_id, created_at);
CREATE INDEX backup_restores_running ON backup_restores (status) WHERE status = 'running';
