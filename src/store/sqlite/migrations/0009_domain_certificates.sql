-- What a domain's server actually serves (issue 14): the certificate Caddy presents for the
-- hostname, read back by the agent's proxy.certificates job, and Caddy's last reason when it
-- could not obtain one. One JSON document per domain (store/app_records.hpp DomainRecord::
-- certificate_status), rewritten whole by each check; null until the first check.

ALTER TABLE domains ADD COLUMN certificate_status TEXT NOT NULL DEFAULT 'null';
