-- Edge rules per app (issue 14): redirects, response headers, an IP allow-list, basic-auth
-- users, a body limit and a maintenance switch, as one JSON document per app
-- (protocol/edge_rules.hpp; store/app_records.hpp AppEdgeRecord). The document is read and
-- written whole (GET/PUT /api/v1/apps/{id}/edge), so it is one column rather than a table per
-- rule. Basic-auth users carry bcrypt hashes only, never a password. Goes with its app.

CREATE TABLE app_edge (
  app_id TEXT NOT NULL PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
  rules TEXT NOT NULL DEFAULT '{}',
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
