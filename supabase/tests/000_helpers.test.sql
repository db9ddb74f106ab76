-- The helpers every suite uses, and what they guarantee: named users with ids
-- fresh for the run, and the identity of a request set the way PostgREST sets
-- it (the role and request.jwt.claims, local to the transaction). They live in
-- the schema tests, which npm test creates and drops for each run; they are
-- committed here, the suites that use them roll back.
begin;
set local client_min_messages = warning;  -- npm test has created the schema already

create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;

-- Who is who in this transaction, and a scratch table for the ids a suite
-- refers to by name (read and written under every role, dropped at commit);
-- both come with the first user a suite creates.
create or replace function tests.ensure_scratch_tables() returns void language plpgsql as $$
begin
  if to_regclass('pg_temp.test_users') is null then
    create temp table test_users (name text primary key, id uuid not null unique) on commit drop;
    grant select on pg_temp.test_users to public;
  end if;
  if to_regclass('pg_temp.ids') is null then
    create temp table ids (k text primary key, v text) on commit drop;
    grant all on pg_temp.ids to public;
  end if;
end
$$;

-- A user of auth.users known by name in this transaction, with an id and an email of its own.
create or replace function tests.create_supabase_user(p_name text) returns uuid language plpgsql as $$
declare
  v_id uuid := gen_random_uuid();
begin
  perform tests.ensure_scratch_tables();
  insert into pg_temp.test_users (name, id) values (p_name, v_id);
  insert into auth.users (id, aud, role, email, raw_user_meta_data)
  values (v_id, 'authenticated', 'authenticated', format('%s.%s@example.test', p_name, v_id),
          jsonb_build_object('test_name', p_name));
  return v_id;
end
$$;

-- The id of a user created by name in this transaction (callable under any role).
create or replace function tests.get_supabase_uid(p_name text) returns uuid language plpgsql stable as $$
declare
  v_id uuid;
begin
  select u.id into v_id from pg_temp.test_users u where u.name = p_name;
  if v_id is null then
    raise exception 'no test user named %: create it first with tests.create_supabase_user', p_name using errcode = 'P0002';
  end if;
  return v_id;
end
$$;

-- Act as a signed-in user, as service_role or as anon, as a request through the Data API would.
create or replace function tests.authenticate_as(p_name text) returns void language sql as $$
  select set_config('role', 'authenticated', true),
         set_config('request.jwt.claims', json_build_object(
           'sub', tests.get_supabase_uid(p_name), 'role', 'authenticated', 'aud', 'authenticated')::text, true) $$;
create or replace function tests.authenticate_as_service_role() returns void language sql as $$
  select set_config('role', 'service_role', true), set_config('request.jwt.claims', '{"role":"service_role"}', true) $$;
create or replace function tests.authenticate_as_anon() returns void language sql as $$
  select set_config('role', 'anon', true), set_config('request.jwt.claims', '{"role":"anon"}', true) $$;

-- Back to the role that runs the suite (the database owner, as a direct connection is), with no claims.
create or replace function tests.clear_authentication() returns void language sql as $$
  select set_config('role', 'none', true), set_config('request.jwt.claims', '', true) $$;

-- The id stored under a name in the scratch table ids.
create or replace function tests.id(p_k text) returns text language plpgsql stable as $$
begin
  return (select v from pg_temp.ids where k = p_k);
end
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;
commit;

begin;
select plan(18);

select tests.create_supabase_user('alice');
insert into ids select 'bob', tests.create_supabase_user('bob');
select tests.create_supabase_user('carol');
delete from auth.users where id = tests.get_supabase_uid('carol');

select results_eq(
  $$ select email, raw_user_meta_data ->> 'test_name' from auth.users where id = tests.get_supabase_uid('alice') $$,
  $$ values (format('alice.%s@example.test', tests.get_supabase_uid('alice'))::varchar, 'alice') $$,
  'a named user is a row of auth.users with an email of its own');
select isnt(tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob'), 'each named user has its own id');
select throws_ok($$ select tests.create_supabase_user('alice') $$, '23505', null, 'a name stands for one user in a transaction');
select throws_ok($$ select tests.get_supabase_uid('nobody') $$, 'P0002', null, 'a name never created is an error, never a null id');

-- as alice
select tests.authenticate_as('alice');
select is(auth.uid(), tests.get_supabase_uid('alice'), 'authenticate_as makes auth.uid() the user''s id');
select is(current_user::text, 'authenticated', 'with the role authenticated');
select is(auth.role(), 'authenticated', 'and the role in the claims');
select is(tests.get_supabase_uid('bob')::text, tests.id('bob'),
  'a signed-in user can still name another user''s id (to pass it where it is refused)');
insert into ids values ('x', 'stored as alice');
select is(tests.id('x'), 'stored as alice', 'the scratch table ids is writable and readable by a signed-in user');

-- as carol, whose account was deleted
select tests.authenticate_as('carol');
select is(auth.uid(), tests.get_supabase_uid('carol'), 'a token outlives its user: authenticate_as still names the deleted user');

-- as service_role
select tests.authenticate_as_service_role();
select is(current_user::text, 'service_role', 'authenticate_as_service_role sets the role service_role');
select is(auth.role(), 'service_role', 'and the role in the claims');
select is(auth.uid(), null, 'with no subject');

-- as anon
select tests.authenticate_as_anon();
select is(current_user::text, 'anon', 'authenticate_as_anon sets the role anon');
select is(auth.role(), 'anon', 'and the role in the claims');
select is(auth.uid(), null, 'with no subject');

-- as the database owner again
select tests.clear_authentication();
select is(current_user::text, session_user::text, 'clear_authentication returns to the role that runs the suite');
select is(auth.jwt(), null, 'with no claims');

select * from finish();
rollback;
