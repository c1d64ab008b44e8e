-- Instance settings and the audit log.
-- Timestamps are RFC 3339 UTC text with milliseconds (core/time_format.hpp), so text order is
-- time order. Each migration runs inside one transaction: no statement here may need to run
-- outside one (no VACUUM, no PRAGMA journal_mode).

CREATE TABLE instance_settings (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE audit_log (
  id TEXT NOT NULL PRIMARY KEY,  -- "aud_..." ids are time-ordered, so they break ties in `at`
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL DEFAULT '',
  team_id TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  source_address TEXT NOT NULL DEFAULT '',
  details TEXT NOT NULL DEFAULT '{}'  -- a JSON object
);

-- Lists are newest first: instance-wide, per team and per actor.
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_team_at ON audit_log (team_id, at DESC, id DESC);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at DESC, id DESC);
