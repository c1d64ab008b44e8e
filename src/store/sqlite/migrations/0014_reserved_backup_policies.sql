-- Placeholder: number 14 belongs to the backup policies (issue 15, slice 4), built on another
-- branch. Migrations are numbered without gaps, so this empty one holds the place for 0015;
-- the policies' 0014 replaces this file when both branches meet.
SELECT 1;
