-- Parley's own database next to Temporal's (temporal, temporal_visibility) on one server.
-- The postgres image runs this once, as the superuser, when its data volume is first
-- initialised; it does not run again on an existing volume.
-- The role's password comes from PARLEY_DB_PASSWORD in the container's environment
-- (docker-compose.yml sets it); \getenv needs psql 15 or later.
\getenv parley_password PARLEY_DB_PASSWORD

-- Refuse an unset or empty password: the division fails, and the image's entrypoint runs
-- psql with ON_ERROR_STOP, so initialisation stops instead of going on without the role.
\if :{?parley_password}
  SELECT :'parley_password' <> '' AS parley_password_set \gset
\else
  \set parley_password_set false
\endif
\if :parley_password_set
\else
  \warn 'PARLEY_DB_PASSWORD is not set: cannot create the parley role'
  SELECT 1 / 0;
\endif

CREATE ROLE parley LOGIN PASSWORD :'parley_password';
-- As the owner, parley may create its tables in the public schema (PostgreSQL 15 and later
-- no longer let every role do that).
CREATE DATABASE parley OWNER parley;
