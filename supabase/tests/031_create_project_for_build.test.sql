-- create_project_for_build: the same as create_complete_project without the
-- version: a version exists only for a build that succeeded, so a project
-- whose first build fails has none to show.
begin;
select plan(10);
select tests.create_supabase_user('alice');

-- as alice
select tests.authenticate_as('alice');
create temp table r as select * from public.create_project_for_build(p_name => 'Lazy', p_framework => 'svelte');
grant select on r to public;
select tests.clear_authentication();

select is((select created from r), true, 'the first call creates the project');
select is(
  (select array_agg(a.attname::text order by a.attnum) from pg_attribute a
    where a.attrelid = 'r'::regclass and a.attnum > 0 and not a.attisdropped),
  array['project_id', 'build_id', 'build_metrics_id', 'created', 'project_build_status'],
  'returns project_id, build_id, build_metrics_id, created, project_build_status');
select is((select count(*)::int from public.project_versions v join r on v.project_id = r.project_id), 0, 'no version exists');
select is((select current_version_id from public.projects p join r on p.id = r.project_id), null, 'current_version_id is null');
select results_eq(
  $$ select build_status, current_build_id::text from public.projects p join r on p.id = r.project_id $$,
  $$ select 'building', build_id from r $$, 'the project is building its first build');
select is((select status from public.project_build_metrics m join r on m.build_id = r.build_id), 'started', 'the build is started');
select is((select count(*)::int from public.ai_time_sessions a join r on a.build_id = r.build_id), 1, 'its AI-time session is open');
select bag_eq($$ select event_type from public.project_events e join r using (project_id) $$,
  $$ values ('project_created'), ('build_started') $$, 'events: project_created and build_started, no version_created');

-- as service_role, the worker: the first build fails
select tests.authenticate_as_service_role();
select * from public.complete_build(p_build_id => (select build_id from r), p_status => 'failed', p_error_message => 'compile error');
select tests.clear_authentication();
select is((select count(*)::int from public.project_versions v join r on v.project_id = r.project_id), 0,
  'a failed build leaves no ghost version');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
