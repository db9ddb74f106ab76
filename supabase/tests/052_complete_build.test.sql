-- complete_build: the worker's final word. Success creates the version
-- lazily and deploys it; failure and cancel create none; timing, metrics and
-- AI time are always closed; the same word again is a replay; another word
-- is PT409; a superseded build is recorded and moves nothing.
begin;
select plan(32);
select tests.create_supabase_user('alice');

-- as service_role, the worker: alice's first build completes, reported twice
select tests.authenticate_as_service_role();
insert into ids select 'p', project_id::text from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Complete');
insert into ids select 'b1', current_build_id from public.projects where id = tests.id('p')::uuid;
create temp table c1 as select * from public.complete_build(p_build_id => tests.id('b1'), p_status => 'completed');
create temp table c1again as select * from public.complete_build(p_build_id => tests.id('b1'), p_status => 'succeeded');
select tests.clear_authentication();

-- success
select results_eq($$ select project_id::text, build_status from c1 $$, $$ values (tests.id('p'), 'deployed') $$,
  'completed: the result says deployed');
select results_eq($$ select v.status, v.project_id::text from public.project_versions v join c1 using (version_id) $$,
  $$ values ('deployed', tests.id('p')) $$, 'the version is created lazily, deployed');
select results_eq($$ select build_status, current_version_id::text from public.projects where id = tests.id('p')::uuid $$,
  $$ select 'deployed', version_id from c1 $$, 'the project is deployed with the new version current');
select ok((select last_build_completed >= last_build_started from public.projects where id = tests.id('p')::uuid),
  'last_build_completed is set, after last_build_started');
select results_eq($$ select status, outcome, completed_at is not null, duration_ms >= 0 from public.project_build_metrics where build_id = tests.id('b1') $$,
  $$ values ('completed', 'completed', true, true) $$, 'the metrics row is completed with completed_at and duration');
select ok((select ended_at is not null and seconds >= 0 from public.ai_time_sessions where build_id = tests.id('b1')),
  'the AI-time session is closed with its seconds');
select results_eq($$ select * from c1again $$, $$ select * from c1 $$, 'the same final status (a synonym) again returns the same result');
select is((select count(*)::int from public.project_versions where project_id = tests.id('p')::uuid), 1, 'and creates nothing');
select bag_eq($$ select event_type from public.project_events where build_id = tests.id('b1') and event_type not in ('build_started', 'project_created') $$,
  $$ values ('build_completed'), ('version_created') $$, 'events: build_completed and version_created');

-- as service_role: a different final status for a finished build
select tests.authenticate_as_service_role();
select throws_ok(format($$ select * from public.complete_build(p_build_id => %L, p_status => 'failed') $$, tests.id('b1')),
  'PT409', null, 'a different final status for a finished build is PT409');
select tests.clear_authentication();
select is((select status from public.project_build_metrics where build_id = tests.id('b1')), 'completed', 'and changes nothing');

-- as service_role: failure creates no version, the deployed one stays
select tests.authenticate_as_service_role();
insert into ids select 'b2', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
create temp table c2 as select * from public.complete_build(p_build_id => tests.id('b2'), p_status => 'error', p_error_message => 'tsc: 3 errors');
select tests.clear_authentication();
select results_eq($$ select build_status, version_id from c2 $$, $$ values ('failed', null::text) $$, 'failed: no version in the result');
select is((select count(*)::int from public.project_versions where build_id = tests.id('b2')), 0, 'no version for the failed build');
select results_eq($$ select build_status, current_version_id::text from public.projects where id = tests.id('p')::uuid $$,
  $$ select 'failed', version_id from c1 $$, 'the project is failed and keeps its last deployed version');
select results_eq($$ select status, error_message from public.project_build_metrics where build_id = tests.id('b2') $$,
  $$ values ('failed', 'tsc: 3 errors') $$, 'the error message is recorded');
select ok((select ended_at is not null from public.ai_time_sessions where build_id = tests.id('b2')), 'the session of a failed build is closed');

-- as service_role: cancel
select tests.authenticate_as_service_role();
insert into ids select 'b3', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
create temp table c3 as select * from public.complete_build(p_build_id => tests.id('b3'), p_status => 'cancelled');
select tests.clear_authentication();
select results_eq($$ select build_status, version_id from c3 $$, $$ values ('canceled', null::text) $$, 'canceled: no version');

-- as service_role: a failed eager initial version is discarded
select tests.authenticate_as_service_role();
insert into ids select 'p2', project_id::text from public.create_complete_project(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Eager');
insert into ids select 'b4', current_build_id from public.projects where id = tests.id('p2')::uuid;
select * from public.complete_build(p_build_id => tests.id('b4'), p_status => 'failed');
select tests.clear_authentication();
select is((select count(*)::int from public.project_versions where project_id = tests.id('p2')::uuid), 0,
  'the provisional version of a failed initial build is discarded (no ghost version)');
select results_eq($$ select build_status, current_version_id from public.projects where id = tests.id('p2')::uuid $$,
  $$ values ('failed', null::public.ulid) $$, 'and the project has no current version');

-- as service_role: a stale (superseded) build reports
select tests.authenticate_as_service_role();
insert into ids select 'b5', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
insert into ids select 'b6', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
create temp table c5 as select * from public.complete_build(p_build_id => tests.id('b5'), p_status => 'completed');
select tests.clear_authentication();
select results_eq($$ select build_status, version_id from c5 $$, $$ values ('superseded', null::text) $$,
  'a superseded build may report: the result says superseded, no version');
select results_eq($$ select status, outcome, completed_at is not null from public.project_build_metrics where build_id = tests.id('b5') $$,
  $$ values ('superseded', 'completed', true) $$, 'its outcome and completion are recorded');
select results_eq($$ select build_status, current_build_id::text from public.projects where id = tests.id('p')::uuid $$,
  $$ values ('building', tests.id('b6')) $$, 'the project''s status and current build do not move');
select is((select count(*)::int from public.project_versions where build_id = tests.id('b5')), 0, 'no version for the stale build');
select tests.authenticate_as_service_role();
select results_eq(format($$ select build_status from public.complete_build(p_build_id => %L, p_status => 'completed') $$, tests.id('b5')),
  $$ values ('superseded') $$, 'a stale report repeated is a replay');

-- as service_role, with bad input
select throws_ok(format($$ select * from public.complete_build(p_build_id => %L, p_status => 'building') $$, tests.id('b6')),
  '22023', null, 'a status that is not final is 22023');
select throws_ok(format($$ select * from public.complete_build(p_build_id => %L, p_status => 'exploded') $$, tests.id('b6')),
  '22023', null, 'an unknown status is 22023');
select throws_ok(format($$ select * from public.complete_build(p_build_id => %L, p_status => 'failed', p_error_message => %L) $$, tests.id('b6'), repeat('e', 10001)),
  '22023', null, 'an error message over 10 000 characters is 22023');
select throws_ok($$ select * from public.complete_build(p_build_id => '01ARZ3NDEKTSV4RRFFQ69G5FAV', p_status => 'completed') $$,
  'PT404', null, 'an unknown build is PT404');
select throws_ok($$ select * from public.complete_build(p_build_id => '01arz3ndektsv4rrffq69g5fav', p_status => 'completed') $$,
  '22023', null, 'a malformed build id is 22023');
select tests.clear_authentication();

-- as alice
select tests.authenticate_as('alice');
select throws_ok(format($$ select * from public.complete_build(p_build_id => %L, p_status => 'completed') $$, tests.id('b6')),
  '42501', null, 'an end user cannot complete builds, even their own');
select tests.clear_authentication();
select is((select status from public.project_build_metrics where build_id = tests.id('b6')), 'started', 'the refused calls changed nothing');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
