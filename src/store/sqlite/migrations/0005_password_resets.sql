-- Password-reset tokens: mailed to an account's address on request, or handed out by an
-- instance administrator. Stored only as keyed hashes; each is good once, until expires_at.
-- issued_by names the administrator without a foreign key (like an audit actor); '' when the
-- token was mailed on request.

CREATE TABLE password_resets (
  id TEXT NOT NULL PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issued_by TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id);
