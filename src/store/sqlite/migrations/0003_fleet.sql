-- The fleet: servers and their agents, install tokens, jobs and their output, metrics time
-- series and server events (store/fleet_records.hpp). Same conventions as 0002: times are
-- RFC 3339 text, optional times NULL, booleans 0/1, JSON objects as text, tokens only as
-- hashes. Everything a server owns goes with it (ON DELETE CASCADE), and with its team.
-- Every foreign key column leads some index, so a cascade never scans a whole table.

CREATE TABLE servers (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  address TEXT NOT NULL DEFAULT '',
  labels TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL CHECK (status IN ('pending', 'adopting', 'adoption_failed', 'online',
                                         'degraded', 'offline')),
  status_reason TEXT NOT NULL DEFAULT '',
  scheduling TEXT NOT NULL CHECK (scheduling IN ('active', 'cordoned', 'draining')),
  agent_token_hash TEXT UNIQUE,  -- NULL while no agent is enrolled, so many servers have none
  agent_version TEXT NOT NULL DEFAULT '',
  facts TEXT NOT NULL DEFAULT '{}',
  metrics TEXT NOT NULL DEFAULT '{}',
  docker TEXT NOT NULL DEFAULT '{}',
  last_seen_at TEXT,
  connected_at TEXT,
  ssh_host TEXT NOT NULL DEFAULT '',
  ssh_port INTEGER NOT NULL DEFAULT 0,
  ssh_username TEXT NOT NULL DEFAULT '',
  ssh_host_key TEXT NOT NULL DEFAULT '',
  ssh_credentials_sealed TEXT NOT NULL DEFAULT '',
  deploy_public_key TEXT NOT NULL DEFAULT '',
  deploy_private_sealed TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (team_id, name)  -- also the index of a team's list, ordered by name
);
-- Liveness sweeps and start-up look servers up by status in every team.
CREATE INDEX servers_status ON servers (status, created_at, id);

-- created_by names a user (or "system") without a foreign key, like an audit actor.
CREATE TABLE install_tokens (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  server_id TEXT REFERENCES servers (id) ON DELETE CASCADE,  -- NULL: registering makes a server
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX install_tokens_team ON install_tokens (team_id);
CREATE INDEX install_tokens_server ON install_tokens (server_id) WHERE server_id IS NOT NULL;

CREATE TABLE jobs (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  args_summary TEXT NOT NULL DEFAULT '{}',
  args_sealed TEXT NOT NULL DEFAULT '',
  timeout_ms INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('queued', 'dispatched', 'running', 'succeeded', 'failed',
                                       'canceled', 'lost')),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  queue_deadline_at TEXT NOT NULL,
  dispatched_at TEXT,
  started_at TEXT,
  finished_at TEXT,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  exit_code INTEGER,  -- NULL until the process exited
  duration_ms INTEGER NOT NULL DEFAULT 0,
  result TEXT NOT NULL DEFAULT '{}',
  error_code TEXT NOT NULL DEFAULT '',
  error_message TEXT NOT NULL DEFAULT '',
  last_seq INTEGER NOT NULL DEFAULT 0
);
-- Lists are newest first, filtered by team, by server, by state, or not at all.
CREATE INDEX jobs_created ON jobs (created_at DESC, id DESC);
CREATE INDEX jobs_team_created ON jobs (team_id, created_at DESC, id DESC);
CREATE INDEX jobs_server_created ON jobs (server_id, created_at DESC, id DESC);
CREATE INDEX jobs_state_created ON jobs (state, created_at DESC, id DESC);

CREATE TABLE job_output (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  stream TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
  text TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (job_id, seq)
) WITHOUT ROWID;

-- One row per (server, resolution, bucket): the sums of the samples that fell into it and
-- their count, so that folding in more samples keeps the mean exact. Resolutions are seconds.
CREATE TABLE metric_points (
  server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  resolution INTEGER NOT NULL,
  bucket_start TEXT NOT NULL,
  samples INTEGER NOT NULL,
  cpu_percent_sum REAL NOT NULL,
  load1_sum REAL NOT NULL,
  memory_used_bytes_sum REAL NOT NULL,
  memory_total_bytes_sum REAL NOT NULL,
  swap_used_bytes_sum REAL NOT NULL,
  disk_used_bytes_sum REAL NOT NULL,
  disk_total_bytes_sum REAL NOT NULL,
  net_rx_bytes_per_second_sum REAL NOT NULL,
  net_tx_bytes_per_second_sum REAL NOT NULL,
  PRIMARY KEY (server_id, resolution, bucket_start)
) WITHOUT ROWID;
CREATE INDEX metric_points_prune ON metric_points (resolution, bucket_start);

-- AUTOINCREMENT: a seq is never reused after pruning, so "events after seq N" cursors hold.
CREATE TABLE server_events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  kind TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX server_events_server_seq ON server_events (server_id, seq);
CREATE INDEX server_events_at ON server_events (at);
