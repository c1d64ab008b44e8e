-- Identity and access: users, teams, memberships, sessions and access tokens, refresh tokens,
-- API keys, invitations, TOTP recovery codes; and the outcome of each audited action.
-- Roles are core/role.hpp's names; optional times are NULL; tokens are stored only as hashes.
-- Booleans are 0/1.

ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'success'
  CHECK (outcome IN ('success', 'failure', 'denied'));

CREATE TABLE teams (
  id TEXT NOT NULL PRIMARY KEY,
  name TEXT NOT NULL,
  personal INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX teams_created ON teams (created_at, id);

-- The domain creates a user and their personal team in one transaction, in either order, so
-- that reference is checked at COMMIT. RESTRICT still refuses, at once, to delete a team that
-- is someone's personal team.
CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- stored lower-case; compared without case too
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  is_instance_admin INTEGER NOT NULL DEFAULT 0,
  is_active INTEGER NOT NULL DEFAULT 1,
  personal_team_id TEXT  -- NULL when the user has none (yet)
    REFERENCES teams (id) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED,
  totp_secret_enc TEXT NOT NULL DEFAULT '',
  totp_enabled INTEGER NOT NULL DEFAULT 0,
  totp_last_step INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX users_created ON users (created_at, id);
CREATE INDEX users_personal_team ON users (personal_team_id);

CREATE TABLE memberships (
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

-- Browser sessions and programs' access tokens.
CREATE TABLE sessions (
  id TEXT NOT NULL PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_hash TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('browser', 'access_token')),
  refresh_chain_id TEXT,  -- access tokens only; NULL for browser sessions
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  user_agent TEXT NOT NULL DEFAULT '',
  source_address TEXT NOT NULL DEFAULT '',
  revoked_at TEXT
);
CREATE INDEX sessions_user_kind_created ON sessions (user_id, kind, created_at DESC, id DESC);
CREATE INDEX sessions_chain ON sessions (refresh_chain_id) WHERE refresh_chain_id IS NOT NULL;

CREATE TABLE refresh_tokens (
  id TEXT NOT NULL PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  chain_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX refresh_tokens_chain ON refresh_tokens (chain_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id);

-- created_by and invited_by name users without a foreign key: like an audit actor, they
-- record who acted and must not block anything.
CREATE TABLE api_keys (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
  token_hash TEXT NOT NULL UNIQUE,
  preview TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_keys_team_created ON api_keys (team_id, created_at DESC, id DESC);

CREATE TABLE invitations (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin', 'owner')),
  token_hash TEXT NOT NULL UNIQUE,
  invited_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  accepted_by TEXT NOT NULL DEFAULT '',
  revoked_at TEXT
);
CREATE INDEX invitations_team_created ON invitations (team_id, created_at DESC, id DESC);

CREATE TABLE recovery_codes (
  id INTEGER PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX recovery_codes_user_code ON recovery_codes (user_id, code_hash);
