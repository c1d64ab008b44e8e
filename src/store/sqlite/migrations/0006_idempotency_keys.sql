-- Idempotency-Key: one row per (scope, key) — the scope is whose key it is (a user id or an
-- API key id). Claimed when the first request starts (completed_at NULL), then completed with
-- its answer sealed with the master key, since an answer may hold a secret shown once (a raw
-- API key). The fingerprint is a keyed hash of what the request asked, never the body itself.
-- Rows are pruned by created_at after the retention (24 h).

CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  created_at TEXT NOT NULL,
  completed_at TEXT,
  answer_sealed TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
