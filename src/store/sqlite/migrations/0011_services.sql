-- Managed services (issue 15): a PostgreSQL, MySQL/MariaDB, Redis or Valkey container of a
-- project on one of the team's servers, with a named volume for its data and credentials
-- Berth generated. Same conventions as 0004.
--
-- spec is the normalized service (domain/services/service_spec.hpp): engine, version, image,
-- limits, publish. credentials_sealed is the ServiceCredentials as JSON, sealed with the
-- master key like secret env vars; never returned by the API. Names are unique per team.
-- A service lives on its project's network, so deleting the project is refused while it has
-- services (the service checks), and the server's deletion takes its services (their
-- containers go with the server).

CREATE TABLE services (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  project_id TEXT NOT NULL REFERENCES projects (id),
  server_id TEXT NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  engine TEXT NOT NULL,
  spec TEXT NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'new'
    CHECK (status IN ('new', 'deploying', 'running', 'stopping', 'stopped', 'failed',
                      'deleting')),
  status_message TEXT NOT NULL DEFAULT '',
  container_name TEXT NOT NULL DEFAULT '',
  volume_name TEXT NOT NULL,
  credentials_sealed TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (team_id, name)
);
CREATE INDEX services_project ON services (project_id);
CREATE INDEX services_server ON services (server_id);

-- An app using a service: the env keys the link wrote into the app's secret env vars (JSON
-- array), so unlinking removes exactly those.
CREATE TABLE service_links (
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  service_id TEXT NOT NULL REFERENCES services (id) ON DELETE CASCADE,
  env_prefix TEXT NOT NULL DEFAULT '',
  env_keys TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  PRIMARY KEY (app_id, service_id)
);
CREATE INDEX service_links_service ON service_links (service_id);
