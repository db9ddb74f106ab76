-- get_build_status: what a poller needs, through row-level security:
-- the owner sees their builds, another user gets PT404 like an unknown build.
begin;
select plan(12);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- as alice, polling her first build
select tests.authenticate_as('alice');
insert into ids select 'p', project_id::text from public.create_project_for_build(p_name => 'Polled');
insert into ids select 'b1', current_build_id from public.projects where id = tests.id('p')::uuid;
create temp table s1 as select * from public.get_build_status(tests.id('b1'));
grant select on s1 to public;
select tests.clear_authentication();
select results_eq(
  $$ select build_id, project_id::text, status, project_build_status, is_current, version_id, completed_at from s1 $$,
  $$ values (tests.id('b1'), tests.id('p'), 'started', 'building', true, null::text, null::timestamptz) $$,
  'the owner sees a started build of a building project, current, without a version');

-- as service_role, the worker: the build completes and another starts
select tests.authenticate_as_service_role();
select * from public.complete_build(p_build_id => tests.id('b1'), p_status => 'completed');
insert into ids select 'b2', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
create temp table s2 as select * from public.get_build_status(tests.id('b1'));
grant select on s2 to public;
select tests.clear_authentication();
select results_eq($$ select status, is_current, version_id is not null, duration_ms >= 0 from s2 $$,
  $$ values ('completed', false, true, true) $$, 'once completed: its version and duration; no longer current after a new start');
select is((select project_build_status from s2), 'building', 'the project status is reported beside the build''s');

-- as bob
select tests.authenticate_as('bob');
select throws_ok(format($$ select * from public.get_build_status(%L) $$, tests.id('b1')), 'PT404', null, 'another user''s build is PT404');
select throws_ok($$ select * from public.get_build_status('01ARZ3NDEKTSV4RRFFQ69G5FAV') $$, 'PT404', null, 'an unknown build is PT404 too');
select throws_ok($$ select * from public.get_build_status('short') $$, '22023', null, 'a malformed id is 22023');
select throws_ok($$ select * from public.get_build_status(null) $$, '22023', null, 'a null id is 22023');
select tests.clear_authentication();

-- as anon
select tests.authenticate_as_anon();
select throws_ok(format($$ select * from public.get_build_status(%L) $$, tests.id('b1')), '42501', null, 'anon cannot poll');
select tests.clear_authentication();

-- as service_role
select tests.authenticate_as_service_role();
select is((select status from public.get_build_status(tests.id('b2'))), 'started', 'service_role sees any build');
select tests.clear_authentication();

select is((select prosecdef from pg_proc where oid = 'public.get_build_status(text)'::regprocedure), false,
  'get_build_status is security invoker: row-level security decides what a caller sees');
select is((select provolatile from pg_proc where oid = 'public.get_build_status(text)'::regprocedure), 's', 'get_build_status is stable');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
