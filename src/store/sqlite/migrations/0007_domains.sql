-- Placeholder on the wt-edge branch only: the domains branch owns migration 0007
-- (0007_domains.sql) and its file replaces this one when the branches are merged. It exists
-- so that this branch's 0008 does not leave a gap in the numbering (the build refuses one).
SELECT 1;
