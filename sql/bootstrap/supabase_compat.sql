-- A Supabase-shaped database on plain PostgreSQL (local, CI, self-hosted).
--
-- Creates what a hosted Supabase database already has where it matters to
-- our migrations and to what the Data API exposes: the roles (with `postgres`
-- an ordinary role, not a superuser), Supabase's default privileges in
-- public, the extensions schema, auth.users with Supabase's columns and RLS,
-- auth.uid()/role()/email()/jwt() as Supabase defines them, and the
-- supabase_realtime publication. Each statement names what it mirrors:
-- "init" is supabase/postgres migrations/db/init-scripts, "migration" is
-- supabase/postgres migrations/db/migrations, "auth" is supabase/auth's
-- migrations, "migrate.sh" is supabase/postgres migrations/db/migrate.sh.
--
-- Idempotent, and one transaction. It runs as a superuser:
-- - on the clusters this project creates (npm start, npm test, lint), as the
--   bootstrap superuser `supabase_admin`, right after initdb, as Supabase's
--   image does; `postgres` is then created here, demoted, and owns the
--   migrations;
-- - on any other plain PostgreSQL (a DATABASE_URL or TEST_DATABASE_URL of
--   your own), as the user given, which then stays what it was.
-- scripts/lib/migrate.ts never applies it to a database that has Supabase's
-- own roles (and an auth schema it did not mark), so a real Supabase database
-- is never touched.

-- Roles ---------------------------------------------------------------------

do $$
begin
  -- init 00: the API roles and PostgREST's login role.
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
  -- init 01: the owner of the auth schema's tables and functions.
  if not exists (select from pg_roles where rolname = 'supabase_auth_admin') then
    create role supabase_auth_admin noinherit createrole login noreplication;
  end if;
  -- migration 10000000000000_demote-postgres (and migrate.sh, which creates
  -- it): `postgres` logs in, creates databases and roles, bypasses RLS, and is
  -- not a superuser. Only when we are another role: the user running this on
  -- someone's own PostgreSQL is left as it is.
  if current_user <> 'postgres' then
    if not exists (select from pg_roles where rolname = 'postgres') then
      create role postgres login;
    end if;
    alter role postgres nosuperuser createdb createrole login replication bypassrls;
    -- migrate.sh: the database belongs to postgres (so, on PostgreSQL 15 and
    -- later, does the schema public, owned by pg_database_owner).
    execute format('alter database %I owner to postgres', current_database());
  end if;
end
$$;

-- migration 20230529180330_alter_api_roles_for_inherit.
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
-- init 00 (supabase_admin's grant was revoked by migration 20221103090837).
grant anon, authenticated, service_role to authenticator;
-- migration 20230201083204_grant_auth_roles_to_postgres: postgres may act as
-- each API role (the SDK's postgres.js transport relies on it).
grant anon, authenticated, service_role to postgres;
-- migration 20220609081115: postgres manages the auth tables through their owner.
grant supabase_auth_admin to postgres;
-- migration 20240606060239_grant_predefined_roles_to_postgres.
grant pg_read_all_data, pg_signal_backend to postgres;
-- supautils.conf (supautils.privileged_role_allowed_configs): postgres may set
-- session_replication_role, e.g. to load data past triggers (PostgreSQL 15+).
do $$
begin
  if current_setting('server_version_num')::int >= 150000 and current_user <> 'postgres' then
    execute 'grant set on parameter session_replication_role to postgres';
  end if;
end
$$;

-- Schema public and Supabase's default privileges ---------------------------

-- init 00: every API role may use public, and everything postgres creates in
-- it is granted to all of them. Our migrations revoke what is not intended
-- (and change these defaults for objects created after them).
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;
-- init 00: the same for objects supabase_admin creates.
do $$
begin
  if exists (select from pg_roles where rolname = 'supabase_admin') then
    alter default privileges for role supabase_admin in schema public grant all on tables to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public grant all on functions to postgres, anon, authenticated, service_role;
    alter default privileges for role supabase_admin in schema public grant all on sequences to postgres, anon, authenticated, service_role;
  end if;
end
$$;

-- Extensions ------------------------------------------------------------------

-- init 00: extensions live in their own schema, usable by the API roles.
create schema if not exists extensions;
alter schema extensions owner to postgres;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
-- migration 20230224042246_grant_extensions_perms_for_postgres.
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;
-- init 03: postgres finds extensions without a schema prefix (on our own
-- clusters only: the role setting of someone's own `postgres` stays theirs).
do $$
begin
  if current_user <> 'postgres' then
    alter role postgres set search_path to "$user", public, extensions;
  end if;
end
$$;

-- auth --------------------------------------------------------------------------

-- init 01: the auth schema, usable by the API roles; its objects belong to
-- supabase_auth_admin.
create schema if not exists auth;
-- (Not Supabase's: marks the database as shaped by this file, for scripts/lib/migrate.ts.)
comment on schema auth is 'Supabase compatibility for plain PostgreSQL (sql/bootstrap/supabase_compat.sql)';
grant usage on schema auth to anon, authenticated, service_role;
grant all privileges on schema auth to supabase_auth_admin;
-- migration 10000000000000_demote-postgres.
grant all on schema auth to postgres;

-- init 01 and auth's migrations up to today: the columns of Supabase's auth.users
-- (added one by one, so a table made by an earlier, smaller version of this file gets them too).
create table if not exists auth.users (id uuid not null primary key);
alter table auth.users
  add column if not exists instance_id uuid,
  add column if not exists aud varchar(255),
  add column if not exists role varchar(255),
  add column if not exists email varchar(255),
  add column if not exists encrypted_password varchar(255),
  add column if not exists email_confirmed_at timestamptz,
  add column if not exists invited_at timestamptz,
  add column if not exists confirmation_token varchar(255),
  add column if not exists confirmation_sent_at timestamptz,
  add column if not exists recovery_token varchar(255),
  add column if not exists recovery_sent_at timestamptz,
  add column if not exists email_change_token_new varchar(255),
  add column if not exists email_change varchar(255),
  add column if not exists email_change_sent_at timestamptz,
  add column if not exists last_sign_in_at timestamptz,
  add column if not exists raw_app_meta_data jsonb,
  add column if not exists raw_user_meta_data jsonb,
  add column if not exists is_super_admin boolean,
  add column if not exists created_at timestamptz,
  add column if not exists updated_at timestamptz,
  add column if not exists phone text unique default null,
  add column if not exists phone_confirmed_at timestamptz,
  add column if not exists phone_change text default '',
  add column if not exists phone_change_token varchar(255) default '',
  add column if not exists phone_change_sent_at timestamptz,
  add column if not exists confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
  add column if not exists email_change_token_current varchar(255) default '',
  add column if not exists email_change_confirm_status smallint default 0 check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  add column if not exists banned_until timestamptz,
  add column if not exists reauthentication_token varchar(255) default '',
  add column if not exists reauthentication_sent_at timestamptz,
  add column if not exists is_sso_user boolean not null default false,
  add column if not exists deleted_at timestamptz,
  add column if not exists is_anonymous boolean not null default false;
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
-- auth: one account per email, SSO users aside.
create unique index if not exists users_email_partial_key on auth.users (email) where (is_sso_user = false);
alter table auth.users owner to supabase_auth_admin;
-- auth 20240612123726_enable_rls_update_grants: RLS on, no policy (the API
-- roles read nothing); migration 10000000000000_demote-postgres: postgres may
-- write it (and bypasses RLS).
alter table auth.users enable row level security;
grant all on auth.users to postgres;

-- auth's migrations: read the claims PostgREST sets (request.jwt.claims),
-- preferring the legacy per-claim settings.
create or replace function auth.uid() returns uuid
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
comment on function auth.uid() is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';

create or replace function auth.role() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
comment on function auth.role() is 'Deprecated. Use auth.jwt() -> ''role'' instead.';

create or replace function auth.email() returns text
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

-- migration 20211124212715_update-auth-owner.
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;
alter function auth.jwt() owner to supabase_auth_admin;
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt() to anon, authenticated, service_role, postgres;

-- Realtime ------------------------------------------------------------------------

-- init 00: the (empty) publication Supabase Realtime streams; init scripts run
-- as postgres (migrate.sh), so postgres owns it and may add its tables.
do $$
begin
  if not exists (select from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;
alter publication supabase_realtime owner to postgres;
