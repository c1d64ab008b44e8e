-- Domains (issue 14): the hostnames an app answers at, each with its TLS mode, an optional
-- path prefix, an optional redirect to another domain of the same app, the custom
-- certificate when its TLS is "custom" (the chain in clear, the key only sealed with the
-- master key) and the last DNS check. Same conventions as 0004.
--
-- (hostname, path_prefix) is unique across the whole instance; the service adds that one
-- hostname belongs to one team and one server (several apps of a team may share a hostname
-- under different path prefixes). tls '' follows the server's proxy setting. is_primary marks
-- the domain that mirrors apps.hostname (the app's create/PATCH `hostname` manages it).
-- redirect_to names a domain of the same app without a foreign key (the service refuses to
-- delete a domain others redirect to; an app's deletion takes all its domains at once).

CREATE TABLE domains (
  id TEXT NOT NULL PRIMARY KEY,
  team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  app_id TEXT NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
  hostname TEXT NOT NULL,
  path_prefix TEXT NOT NULL DEFAULT '',
  is_primary INTEGER NOT NULL DEFAULT 0,
  tls TEXT NOT NULL DEFAULT '' CHECK (tls IN ('', 'acme', 'internal', 'off', 'custom')),
  redirect_to TEXT NOT NULL DEFAULT '',
  https_redirect INTEGER NOT NULL DEFAULT 1,
  hsts INTEGER NOT NULL DEFAULT 0,
  cert_chain TEXT NOT NULL DEFAULT '',
  cert_key_sealed TEXT NOT NULL DEFAULT '',
  cert_info TEXT NOT NULL DEFAULT '{}',
  dns_status TEXT NOT NULL DEFAULT 'pending_dns'
    CHECK (dns_status IN ('pending_dns', 'ok', 'elsewhere')),
  dns_records TEXT NOT NULL DEFAULT '[]',
  dns_checked_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (hostname, path_prefix)  -- also the index of the instance-wide hostname check
);
CREATE INDEX domains_app ON domains (app_id, hostname);
CREATE INDEX domains_team ON domains (team_id, hostname);

-- Every app's hostname becomes its first (primary) domain, so every running app keeps
-- answering. Hostnames were unique per server only: where two servers' apps shared one, the
-- oldest app keeps it as a domain (the other keeps apps.hostname but no route until it is
-- given a free one). The domain id reuses the app id's body: one primary domain per app.
INSERT INTO domains (id, team_id, app_id, hostname, is_primary, created_at, updated_at)
SELECT 'dom_' || substr(a.id, 5), a.team_id, a.id, a.hostname, 1, a.created_at, a.updated_at
FROM apps a
WHERE a.hostname IS NOT NULL AND a.hostname <> ''
  AND NOT EXISTS (SELECT 1 FROM apps b WHERE b.hostname = a.hostname
                  AND (b.created_at < a.created_at OR (b.created_at = a.created_at AND b.id < a.id)))
ORDER BY a.created_at, a.id;

-- The addresses the server is reached at on the internet, as an admin states them (JSON array
-- of IP literals); empty: the agent's reported addresses are used for DNS checks.
ALTER TABLE proxy_settings ADD COLUMN public_addresses TEXT NOT NULL DEFAULT '[]';
