-- migrate:up
-- Nothing is granted by default. On Supabase, every table, sequence and
-- function the migrating role creates in public is granted ALL to anon,
-- authenticated and service_role (its default privileges), and PostgreSQL
-- grants EXECUTE on every new function to PUBLIC: the Data API would expose
-- each new object, identity sequences included (setval by anon). From here on,
-- this role's new objects carry only the grants written in their migration
-- (the whole matrix is asserted by supabase/tests/036_grants.test.sql).

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter default privileges in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges in schema public revoke all on sequences from anon, authenticated, service_role;
alter default privileges in schema public revoke all on functions from anon, authenticated, service_role;
alter default privileges revoke execute on functions from public;

-- migrate:down
alter default privileges grant execute on functions to public;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
