-- create_version_on_success: the build's version, once, made current;
-- refused for a failed, canceled or superseded build, writing nothing.
begin;
select plan(17);
select tests.create_supabase_user('alice');

-- as service_role, the worker: alice's first build succeeds, reported twice
select tests.authenticate_as_service_role();
insert into ids select 'p1', project_id::text from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Versions');
insert into ids select 'b1', current_build_id from public.projects where id = tests.id('p1')::uuid;
create temp table v1 as select * from public.create_version_on_success(p_build_id => tests.id('b1'), p_prompt => 'final prompt');
create temp table v2 as select * from public.create_version_on_success(p_build_id => tests.id('b1'));
select tests.clear_authentication();

select is((select created from v1), true, 'the first call creates the version');
select results_eq($$ select version_id, created from v2 $$, $$ select version_id, false from v1 $$,
  'a second call returns the same version with created = false');
select results_eq(
  $$ select build_status, current_version_id::text from public.projects where id = tests.id('p1')::uuid $$,
  $$ select 'deployed', version_id from v1 $$, 'the project is deployed with the version as current');
select results_eq($$ select status, prompt from public.project_versions where build_id = tests.id('b1') $$,
  $$ values ('deployed', 'final prompt') $$, 'the version is deployed with the prompt given');
select is((select status from public.project_build_metrics where build_id = tests.id('b1')), 'completed', 'the build is completed');
select isnt((select ended_at from public.ai_time_sessions where build_id = tests.id('b1')), null, 'its AI-time session is closed');
select is((select count(*)::int from public.project_versions where project_id = tests.id('p1')::uuid), 1,
  'a build has one version, however often its success is reported');

-- as service_role: a failed build
select tests.authenticate_as_service_role();
insert into ids select 'b2', build_id from public.start_build(p_project_id => tests.id('p1')::uuid);
select * from public.complete_build(p_build_id => tests.id('b2'), p_status => 'failed');
select throws_ok(format($$ select * from public.create_version_on_success(p_build_id => %L) $$, tests.id('b2')), 'PT409', null,
  'a failed build gets no version');
-- a canceled build
insert into ids select 'b3', build_id from public.start_build(p_project_id => tests.id('p1')::uuid);
select * from public.complete_build(p_build_id => tests.id('b3'), p_status => 'canceled');
select throws_ok(format($$ select * from public.create_version_on_success(p_build_id => %L) $$, tests.id('b3')), 'PT409', null,
  'a canceled build gets no version');
-- a superseded build
insert into ids select 'b4', build_id from public.start_build(p_project_id => tests.id('p1')::uuid);
insert into ids select 'b5', build_id from public.start_build(p_project_id => tests.id('p1')::uuid);
select throws_ok(format($$ select * from public.create_version_on_success(p_build_id => %L) $$, tests.id('b4')), 'PT409', null,
  'a superseded build gets no version');
select throws_ok($$ select * from public.create_version_on_success(p_build_id => '01ARZ3NDEKTSV4RRFFQ69G5FAV') $$, 'PT404', null,
  'an unknown build is PT404');
select throws_ok($$ select * from public.create_version_on_success(p_build_id => 'nope') $$, '22023', null, 'a malformed build id is 22023');
select throws_ok($$ select * from public.create_version_on_success(p_build_id => null) $$, '22023', null, 'a null build id is 22023');
select tests.clear_authentication();
select is((select count(*)::int from public.project_versions where project_id = tests.id('p1')::uuid), 1,
  'the refused calls wrote no version');
select is((select current_version_id::text from public.projects where id = tests.id('p1')::uuid), (select version_id from v1),
  'the current version did not move');

-- as alice
select tests.authenticate_as('alice');
select throws_ok(format($$ select * from public.create_version_on_success(p_build_id => %L) $$, tests.id('b5')), '42501', null,
  'an end user cannot create versions (the worker reports success)');
select tests.clear_authentication();
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
