-- Idempotency: a key is unique per owner; the same key and parameters replay
-- the first result however often they are sent; the same key with other
-- parameters is PT422 and writes nothing. Without a key, the duplicate window
-- returns the project of the same intent (owner, name, framework, prompt) created
-- moments ago, whoever creates it, unless its build failed or was canceled.
begin;
select plan(28);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

create temp table replays0 as select case when is_called then last_value else 0 end as n from private.idempotent_replays;

-- as alice, with a key
select tests.authenticate_as('alice');
create temp table first as select * from public.create_complete_project(p_name => 'Keyed', p_idempotency_key => 'key-1');
create temp table second as select * from public.create_complete_project(p_name => 'Keyed', p_idempotency_key => 'key-1');
select tests.clear_authentication();

select is((select created from first), true, 'the first call creates');
select is((select created from second), false, 'the replay does not (created = false)');
select results_eq($$ select project_id, version_id, build_id, build_metrics_id from second $$,
                  $$ select project_id, version_id, build_id, build_metrics_id from first $$, 'the replay returns the same ids');
select is((select count(*)::int from public.projects where user_id = tests.get_supabase_uid('alice')), 1, 'one project exists');
select is((select count(*)::int from public.project_build_metrics where user_id = tests.get_supabase_uid('alice')), 1, 'one build exists');
select is((select last_value - (select n from replays0) from private.idempotent_replays), 1::bigint, 'the replay is counted for monitoring');

-- as alice, the same key with other parameters
select tests.authenticate_as('alice');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Other name', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with another name is PT422');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Keyed', p_framework => 'vue', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with another framework is PT422');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Keyed', p_prompt => 'new prompt', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with another prompt is PT422');
select throws_ok($$ select * from public.create_project_for_build(p_name => 'Keyed', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key for another operation is PT422');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Keyed', p_framework => 'cobol', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with an unknown framework is PT422: the key is checked before the framework is looked up');
select tests.clear_authentication();
select is((select count(*)::int from public.projects where user_id = tests.get_supabase_uid('alice')), 1, 'refused calls wrote nothing');

-- as bob, with alice's key: keys are per owner
select tests.authenticate_as('bob');
create temp table bobs as select * from public.create_complete_project(p_name => 'Keyed', p_idempotency_key => 'key-1');
select tests.clear_authentication();
select is((select created from bobs), true, 'another user''s identical key is another key');
select isnt((select project_id from bobs), (select project_id from first), 'and another project');

-- as alice, without a key: the duplicate window
select tests.authenticate_as('alice');
create temp table w1 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'astro');
create temp table w2 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'astro');
create temp table w3 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'remix');
select tests.clear_authentication();
select is((select created from w2), false, 'without a key, the same name and framework within the window is a duplicate');
select is((select project_id from w2), (select project_id from w1), 'and returns the existing project');
select is((select created from w3), true, 'another framework is another project');

-- as service_role (the worker), then as alice (the web app): the window is the intent, so
-- the worker and the web app creating the same thing meet in it
select tests.authenticate_as_service_role();
create temp table i1 as select * from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'),
  p_name => 'Untitled Project', p_prompt => 'a todo app', p_source => 'worker-service');
select tests.clear_authentication();
select tests.authenticate_as('alice');
create temp table i2 as select * from public.create_complete_project(p_prompt => 'a todo app');
create temp table i3 as select * from public.create_complete_project(p_prompt => 'a blog');
select tests.clear_authentication();
select results_eq($$ select project_id, created, version_id, project_build_status from i2 $$,
  $$ select project_id, false, null::text, 'building' from i1 $$,
  'the web app after the worker, same intent: the worker''s project, without a version yet (version_id null)');
select is((select created from i3), true, 'a different prompt is a new project, not a lost request');
select isnt((select project_id from i3), (select project_id from i1), 'with its own id');

-- as service_role: a retry after a fast failure gets a new build
select tests.authenticate_as_service_role();
select * from public.complete_build(p_build_id => (select build_id from i1), p_status => 'failed');
create temp table i4 as select * from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'),
  p_name => 'Untitled Project', p_prompt => 'a todo app', p_source => 'worker-service');
select * from public.complete_build(p_build_id => (select build_id from i4), p_status => 'canceled');
create temp table i5 as select * from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'),
  p_name => 'Untitled Project', p_prompt => 'a todo app', p_source => 'worker-service');
select tests.clear_authentication();
select is((select created from i4), true, 'the window never returns a project whose build failed: a retry creates');
select isnt((select build_id from i4), (select build_id from i1), 'with a new build');
select is((select created from i5), true, 'nor one whose build was canceled');
select is((select project_build_status from i5), 'building', 'a new project answers its build status');

-- as alice, with the window set to 0
select set_config('projects.duplicate_window', '0 seconds', true);
select tests.authenticate_as('alice');
create temp table w4 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'astro');
select tests.clear_authentication();
select is((select created from w4), true, 'projects.duplicate_window = 0 disables the window');
select set_config('projects.duplicate_window', '', true);

-- the key row is kept with its result
select results_eq(
  $$ select operation, project_id from public.idempotency_keys where user_id = tests.get_supabase_uid('alice') and idempotency_key = 'key-1' $$,
  $$ select 'create_complete_project', project_id from first $$, 'the key row records its operation and result');
select is((select count(*)::int from public.idempotency_keys where idempotency_key = 'key-1'), 2, 'one key row per owner');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
