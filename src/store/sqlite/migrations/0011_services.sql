-- Placeholder for the lead's services migration (issue 15, slice 2), so that this branch
-- builds with migrations numbered without gaps. The lead's 0011_services.sql replaces it.
SELECT 1;
