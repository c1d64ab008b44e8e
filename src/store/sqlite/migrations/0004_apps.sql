-- Apps and deployments: projects, apps, their env vars, deployments and their event log,
-- webhook deliveries seen, deploy-hook tokens and each server's proxy settings
-- (store/app_records.hpp). Same conventions as 0003: times are RFC 3339 text, optional times
-- NULL, booleans 0/1, JSON objects as text, secrets only sealed and tokens only as hashes.
-- Everything goes with its team (ON DELETE CASCADE); every foreign key column leads an index.

CREATE TABLE projects (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (team_id, name)  -- also the index of a team's list, ordered by name
);

-- The service refuses to delete a server that still has apps; the cascade only keeps a
-- team's deletion (which takes its servers) from failing. Leaving a project is not leaving
-- the team: the app stays, in no project.
CREATE TABLE apps (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  project_id TEXT REFERENCES projects (id) ON DELETE SET NULL,  -- NULL: in no project
  name TEXT NOT NULL,
  server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  source TEXT NOT NULL DEFAULT '{}',
  settings TEXT NOT NULL DEFAULT '{}',
  hostname TEXT,  -- NULL: none (so any number of apps may have none)
  status TEXT NOT NULL CHECK (status IN ('new', 'deploying', 'running', 'stopped', 'failed')),
  config_version INTEGER NOT NULL DEFAULT 1,
  deployed_config_version INTEGER NOT NULL DEFAULT 0,
  current_deployment_id TEXT NOT NULL DEFAULT '',  -- no FK: deployments reference apps
  webhook_secret_sealed TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (team_id, name),        -- also the index of a team's list, ordered by name
  UNIQUE (server_id, hostname)   -- also the index of a server's route table
);
CREATE INDEX apps_project ON apps (project_id, name) WHERE project_id IS NOT NULL;

-- scope_id names an app or a project, so it cannot be a foreign key: the triggers below
-- delete the rows of an app or project however it goes (directly, or with its team/server).
CREATE TABLE env_vars (
  scope TEXT NOT NULL CHECK (scope IN ('app', 'project')),
  scope_id TEXT NOT NULL,
  key TEXT NOT NULL,
  secret INTEGER NOT NULL DEFAULT 0,
  value TEXT NOT NULL DEFAULT '',
  value_sealed TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  PRIMARY KEY (scope, scope_id, key)
) WITHOUT ROWID;

CREATE TRIGGER apps_delete_env AFTER DELETE ON apps BEGIN
  DELETE FROM env_vars WHERE scope = 'app' AND scope_id = OLD.id;
END;
CREATE TRIGGER projects_delete_env AFTER DELETE ON projects BEGIN
  DELETE FROM env_vars WHERE scope = 'project' AND scope_id = OLD.id;
END;

-- created_by names a user, an API key, "webhook" or "deploy_hook" without a foreign key.
CREATE TABLE deployments (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'canceled',
                                       'superseded')),
  trigger TEXT NOT NULL CHECK (trigger IN ('api', 'webhook', 'deploy_hook', 'rollback',
                                           'restart', 'stop', 'start')),
  created_by TEXT NOT NULL,
  ref TEXT NOT NULL DEFAULT '',
  image TEXT NOT NULL DEFAULT '',
  rollback_of TEXT NOT NULL DEFAULT '',  -- a deployment of the same app; both go with it
  artifact TEXT NOT NULL DEFAULT '{}',
  spec TEXT NOT NULL DEFAULT '{}',
  config_version INTEGER NOT NULL DEFAULT 0,
  container_name TEXT NOT NULL DEFAULT '',
  host_port INTEGER NOT NULL DEFAULT 0,
  step TEXT NOT NULL DEFAULT '',
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  last_seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT
);
-- Lists are newest first, filtered by team, by app, by state, or not at all.
CREATE INDEX deployments_created ON deployments (created_at DESC, id DESC);
CREATE INDEX deployments_team_created ON deployments (team_id, created_at DESC, id DESC);
CREATE INDEX deployments_app_created ON deployments (app_id, created_at DESC, id DESC);
CREATE INDEX deployments_server ON deployments (server_id);
CREATE INDEX deployments_state_created ON deployments (state, created_at DESC, id DESC);

CREATE TABLE deployment_events (
  deployment_id TEXT NOT NULL REFERENCES deployments (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('step', 'output', 'state', 'done')),
  data TEXT NOT NULL DEFAULT '{}',
  at TEXT NOT NULL,
  PRIMARY KEY (deployment_id, seq)
) WITHOUT ROWID;

-- A delivery id seen for an app, kept long enough to refuse a redelivery, then pruned.
CREATE TABLE webhook_deliveries (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  delivery_id TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (app_id, delivery_id)
) WITHOUT ROWID;
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);

CREATE TABLE deploy_hooks (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT
);
CREATE INDEX deploy_hooks_team ON deploy_hooks (team_id);
CREATE INDEX deploy_hooks_app_created ON deploy_hooks (app_id, created_at DESC, id DESC);

CREATE TABLE proxy_settings (
  server_id TEXT NOT NULL PRIMARY KEY REFERENCES servers (id) ON DELETE CASCADE,
  base_domain TEXT NOT NULL DEFAULT '',
  http_port INTEGER NOT NULL,
  https_port INTEGER NOT NULL,
  tls TEXT NOT NULL CHECK (tls IN ('off', 'internal', 'acme')),
  updated_at TEXT NOT NULL
);
