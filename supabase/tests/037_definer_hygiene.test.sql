-- Definer hygiene. PostgreSQL resolves type and table names in pg_temp FIRST
-- unless pg_temp is listed explicitly, even with search_path = '': a caller
-- could shadow a type used inside a SECURITY DEFINER function with a domain
-- of its own whose CHECK then runs with the owner's rights. So every function
-- here (definers and the helpers they call) runs with
-- search_path = pg_catalog, pg_temp, and a session that shadows every type
-- our code names gets nothing run as the owner.
begin;
select plan(22);
select tests.create_supabase_user('alice');

select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
      where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
        and not coalesce('search_path=pg_catalog, pg_temp' = any(p.proconfig), false) $$,
  'every function in public and private runs with search_path = pg_catalog, pg_temp (pg_temp explicitly last)');
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
      where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
        and exists (select from unnest(p.proconfig) c where c like 'search_path=%' and c not like '%pg_temp') $$,
  'no function lists pg_temp anywhere but last');

-- A definer pinned the old way, to show the attack is real (rolled back with the suite).
create function tests.pinned_empty() returns text
language plpgsql security definer set search_path = ''
as $$ declare v_x text := 'ran'; begin return v_x; end $$;
grant execute on function tests.pinned_empty() to authenticated;

-- as alice, the attacker: shadow every type our functions name with a domain whose
-- CHECK raises when it runs as anyone but the API role calling.
select tests.authenticate_as('alice');
create function pg_temp.shadow_ran() returns boolean language plpgsql as $$
begin
  if current_user not in ('anon', 'authenticated', 'service_role') then
    raise exception 'shadowed code ran as %', current_user using errcode = 'P0666';
  end if;
  return true;
end
$$;
select lives_ok(format('create domain pg_temp.%I as pg_catalog.%I check (pg_temp.shadow_ran())', t, t), format('a session can shadow %s in pg_temp', t))
  from unnest(array['text', 'uuid', 'timestamptz', 'interval', 'jsonb', 'json', 'bytea', 'numeric']) as t;

select throws_ok($$ select tests.pinned_empty() $$, 'P0666', null,
  'with search_path = '''', a shadowing domain runs with the definer''s rights');

select lives_ok($$ insert into ids select 'p', project_id from public.create_complete_project(p_name => 'Shadowed', p_idempotency_key => 'k1') $$,
  'create_complete_project runs none of the shadowing code');
select lives_ok($$ select * from public.create_complete_project(p_name => 'Shadowed', p_idempotency_key => 'k1') $$,
  'nor does its replay');
select lives_ok($$ insert into ids select 'q', project_id from public.create_project_for_build(p_name => 'Shadowed lazily') $$,
  'create_project_for_build runs none of it');
select lives_ok($$ insert into ids select 'b', build_id from public.start_build(tests.id('p')::uuid, p_prompt => 'again') $$,
  'start_build runs none of it');
select lives_ok($$ select * from public.get_build_status(tests.id('b')) $$, 'get_build_status runs none of it');
select lives_ok($$ select * from public.get_or_create_client(p_id => 'shadow', p_name => 'Client', p_email => 'a@b.test') $$,
  'get_or_create_client runs none of it');
select tests.clear_authentication();

-- as service_role, in the same session (pg_temp is the session's, whatever the role)
select tests.authenticate_as_service_role();
insert into ids select 'c', current_build_id from public.projects where id = tests.id('q')::uuid;
select lives_ok(format($$ select * from public.complete_build(%L, 'completed') $$, tests.id('b')), 'complete_build runs none of it');
select lives_ok(format($$ select * from public.create_version_on_success(%L) $$, tests.id('c')), 'create_version_on_success runs none of it');
select lives_ok($$ select * from public.get_project_metrics() $$, 'get_project_metrics runs none of it');
select lives_ok($$ select * from public.check_invariants() $$, 'check_invariants runs none of it');
select lives_ok($$ select * from public.prune_idempotency_records() $$, 'prune_idempotency_records runs none of it');
select tests.clear_authentication();

select * from finish();
rollback;
