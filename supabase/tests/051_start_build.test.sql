-- start_build: one transaction starts a build, supersedes the one in flight
-- and cannot violate the timing or current-build constraints, which a naive
-- order of writes does: a last_build_completed left from the previous build
-- is older than the new start, and a current_build_id set before its build
-- row exists points at nothing.
begin;
select plan(30);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- as alice: a project, then a second build while the first is in flight
select tests.authenticate_as('alice');
insert into ids select 'p', project_id::text from public.create_complete_project(p_name => 'Builds');
insert into ids select 'b0', current_build_id from public.projects where id = tests.id('p')::uuid;
insert into ids select 'v0', current_version_id from public.projects where id = tests.id('p')::uuid;
create temp table s1 as select * from public.start_build(p_project_id => tests.id('p')::uuid, p_prompt => 'add a footer');
grant select on s1 to public;
select tests.clear_authentication();

-- the in-flight initial build is superseded
select is((select created from s1), true, 'the owner starts a build');
select is((select superseded_build_id from s1), tests.id('b0'), 'the build in flight is reported as superseded');
select results_eq($$ select status, superseded_by::text from public.project_build_metrics where build_id = tests.id('b0') $$,
  $$ select 'superseded', build_id from s1 $$, 'it is marked superseded by the new build');
select results_eq(
  $$ select build_status, current_build_id::text, last_build_completed from public.projects where id = tests.id('p')::uuid $$,
  $$ select 'building', build_id, null::timestamptz from s1 $$, 'the project is building the new build');
select is((select count(*)::int from public.project_versions where version_id = tests.id('v0')), 0,
  'the provisional initial version of the superseded build is discarded');
select is((select current_version_id from public.projects where id = tests.id('p')::uuid), null, 'and no longer current');
select results_eq($$ select status, is_initial_build, prompt from public.project_build_metrics m join s1 using (build_id) $$,
  $$ values ('started', false, 'add a footer') $$, 'the new build is started with its prompt');
select is((select count(*)::int from public.ai_time_sessions a join s1 using (build_id) where ended_at is null), 1, 'its AI-time session is open');
select bag_eq(
  $$ select event_type from public.project_events where project_id = tests.id('p')::uuid and created_at = (select started_at from public.project_build_metrics join s1 using (build_id)) $$,
  $$ values ('build_started'), ('build_superseded'), ('version_discarded') $$,
  'events: build_started, build_superseded, version_discarded');

-- as service_role: a completed build, then a new start: the old completion time must not break the timing constraint
select tests.authenticate_as_service_role();
select * from public.complete_build(p_build_id => (select build_id from s1), p_status => 'completed');
select tests.clear_authentication();
select isnt((select last_build_completed from public.projects where id = tests.id('p')::uuid), null, 'the completed build set last_build_completed');
select tests.authenticate_as_service_role();
create temp table s2 as select * from public.start_build(p_project_id => tests.id('p')::uuid);
grant select on s2 to public;
select tests.clear_authentication();
select is((select superseded_build_id from s2), null, 'nothing is superseded when no build is in flight');
select results_eq(
  $$ select build_status, last_build_completed, current_build_id::text from public.projects where id = tests.id('p')::uuid $$,
  $$ select 'building', null::timestamptz, build_id from s2 $$,
  'service_role starts a build: last_build_completed is cleared, no constraint is violated');
select isnt((select current_version_id from public.projects where id = tests.id('p')::uuid), null,
  'the deployed version stays current while the next build runs');

-- as alice, with an idempotency key
select tests.authenticate_as('alice');
create temp table k1 as select * from public.start_build(p_project_id => tests.id('p')::uuid, p_idempotency_key => 'build-key');
create temp table k2 as select * from public.start_build(p_project_id => tests.id('p')::uuid, p_idempotency_key => 'build-key');
select results_eq($$ select build_id, build_metrics_id, superseded_build_id, false from k1 $$,
  $$ select build_id, build_metrics_id, superseded_build_id, created from k2 $$, 'the same key replays the same build');
select throws_ok(format($$ select * from public.start_build(p_project_id => %L, p_prompt => 'other', p_idempotency_key => 'build-key') $$, tests.id('p')),
  'PT422', null, 'the same key with another prompt is PT422');
select tests.clear_authentication();
select is((select count(*)::int from public.project_build_metrics where project_id = tests.id('p')::uuid and status = 'started'), 1,
  'exactly one build is in flight');

-- as bob: who may start
select tests.authenticate_as('bob');
select throws_ok(format($$ select * from public.start_build(p_project_id => %L) $$, tests.id('p')), 'PT404', null,
  'another user gets not found, which reveals nothing');
select throws_ok($$ select * from public.start_build(p_project_id => gen_random_uuid()) $$, 'PT404', null, 'an unknown project is PT404');
select tests.clear_authentication();

-- as anon
select tests.authenticate_as_anon();
select throws_ok(format($$ select * from public.start_build(p_project_id => %L) $$, tests.id('p')), '42501', null, 'anon cannot start builds');
select tests.clear_authentication();

-- as alice, with bad input
select tests.authenticate_as('alice');
select throws_ok(format($$ select * from public.start_build(p_project_id => %L, p_prompt => '   ') $$, tests.id('p')), '22023', null,
  'a whitespace-only prompt is 22023');
select throws_ok(format($$ select * from public.start_build(p_project_id => %L, p_idempotency_key => '') $$, tests.id('p')), '22023', null,
  'an empty key is 22023');
select throws_ok($$ select * from public.start_build(p_project_id => 'not-a-uuid') $$, '22P02', null, 'a malformed project id is 22P02');
select tests.clear_authentication();
select is((select count(*)::int from public.project_build_metrics where project_id = tests.id('p')::uuid), 4,
  'the refused calls started nothing');
select is((select count(*)::int from public.ai_time_sessions where project_id = tests.id('p')::uuid), 4, 'one AI-time session per build');
select is((select count(*)::int from public.ai_time_sessions where project_id = tests.id('p')::uuid and ended_at is null), 1,
  'only the build in flight has an open session');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

-- as alice: the framework of a build is optional, recorded on the build, and the project's follows the latest build
select tests.authenticate_as('alice');
insert into ids select 'fw', project_id::text from public.create_project_for_build(p_name => 'Framework follows', p_framework => 'react');
create temp table f1 as select * from public.start_build(p_project_id => tests.id('fw')::uuid, p_framework => 'vue');
create temp table f2 as select * from public.start_build(p_project_id => tests.id('fw')::uuid);
grant select on f1, f2 to public;
select throws_ok(format($$ select * from public.start_build(p_project_id => %L, p_framework => 'cobol') $$, tests.id('fw')),
  '22023', null, 'an unknown framework is refused');
select tests.clear_authentication();
select is((select framework from public.project_build_metrics where build_id = (select build_id from f1)), 'vue',
  'p_framework is recorded on the build');
select is((select framework from public.project_build_metrics where build_id = (select build_id from f2)), 'vue',
  'without it, a build keeps the project''s framework');
select is((select framework from public.projects where id = tests.id('fw')::uuid), 'vue', 'the project''s framework follows the latest build');

select * from finish();
rollback;
