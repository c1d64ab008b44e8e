-- Per-server ACME settings (issue 14): the ACME directory of the CA that Caddy's acme issuer
-- uses (a private CA such as step-ca or another Caddy's acme_server), the PEM of a root to trust
-- for it, and the account's contact email. Empty: Caddy's defaults (Let's Encrypt, then
-- ZeroSSL, no email). The root is a public certificate: it is stored as it is, not sealed.

ALTER TABLE proxy_settings ADD COLUMN acme_ca TEXT NOT NULL DEFAULT '';
ALTER TABLE proxy_settings ADD COLUMN acme_ca_root TEXT NOT NULL DEFAULT '';
ALTER TABLE proxy_settings ADD COLUMN acme_email TEXT NOT NULL DEFAULT '';
