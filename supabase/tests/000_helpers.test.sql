-- Test helpers shared by every suite (committed, unlike the suites, which
-- roll back): fixture users, identities set the way PostgREST sets them, and
-- a scratch table for ids. Lives in schema tests, as supabase-test-helpers does.
begin;
select plan(5);

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Two users (alice, bob) and a scratch table `ids` readable by every role; call first in a suite.
create or replace function tests.use_fixtures() returns void language plpgsql as $$
begin
  insert into auth.users (id, email) values
    ('a0000000-0000-4000-8000-00000000000a', 'alice@example.test'),
    ('b0000000-0000-4000-8000-00000000000b', 'bob@example.test')
  on conflict (id) do nothing;
  create temp table if not exists ids (k text primary key, v text) on commit drop;
  grant all on ids to public;
end
$$;

-- Act as a signed-in user, as service_role or as anon (until `reset role`).
create or replace function tests.as_user(p_id uuid) returns void language sql as $$
  select set_config('role', 'authenticated', true),
         set_config('request.jwt.claims', json_build_object('sub', p_id, 'role', 'authenticated')::text, true) $$;
create or replace function tests.as_service() returns void language sql as $$
  select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true) $$;
create or replace function tests.as_anon() returns void language sql as $$
  select set_config('role', 'anon', true), set_config('request.jwt.claims', '{"role":"anon"}', true) $$;

-- The id stored under a name in the scratch table.
create or replace function tests.id(p_k text) returns text language plpgsql stable as $$
begin
  return (select v from pg_temp.ids where k = p_k);
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

select has_function('tests', 'use_fixtures', 'tests.use_fixtures() exists');
select has_function('tests', 'as_user', array['uuid'], 'tests.as_user(uuid) exists');
select has_function('tests', 'as_service', 'tests.as_service() exists');
select has_function('tests', 'as_anon', 'tests.as_anon() exists');
select has_function('tests', 'id', array['text'], 'tests.id(text) exists');

select * from finish();
commit;
