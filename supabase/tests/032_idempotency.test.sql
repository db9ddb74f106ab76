-- Idempotency: a key is unique per owner; the same key and parameters replay
-- the first result however often they are sent; the same key with other
-- parameters is PT422 and writes nothing. Without a key, seed 000's duplicate
-- window returns the project created moments ago.
begin;
select plan(20);
select tests.use_fixtures();  -- alice, bob and the scratch table ids (000_helpers)

select tests.as_user('a0000000-0000-4000-8000-00000000000a');
create temp table first as select * from public.create_complete_project(p_name => 'Keyed', p_idempotency_key => 'key-1');
create temp table second as select * from public.create_complete_project(p_name => 'Keyed', p_idempotency_key => 'key-1');
reset role;

select is((select created from first), true, 'the first call creates');
select is((select created from second), false, 'the replay does not (created = false)');
select results_eq($$ select project_id, version_id, build_id, build_metrics_id from second $$,
                  $$ select project_id, version_id, build_id, build_metrics_id from first $$, 'the replay returns the same ids');
select is((select count(*)::int from public.projects where owner_id = 'a0000000-0000-4000-8000-00000000000a'), 1, 'one project exists');
select is((select count(*)::int from public.project_build_metrics where user_id = 'a0000000-0000-4000-8000-00000000000a'), 1, 'one build exists');
select is((select count(*)::int from public.idempotent_replays where owner_id = 'a0000000-0000-4000-8000-00000000000a'), 1, 'the replay is counted for monitoring');

-- same key, other parameters
select tests.as_user('a0000000-0000-4000-8000-00000000000a');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Other name', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with another name is PT422');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Keyed', p_framework => 'vue', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with another framework is PT422');
select throws_ok($$ select * from public.create_complete_project(p_name => 'Keyed', p_prompt => 'new prompt', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key with another prompt is PT422');
select throws_ok($$ select * from public.create_project_for_build(p_name => 'Keyed', p_idempotency_key => 'key-1') $$,
  'PT422', null, 'the same key for another operation is PT422');
reset role;
select is((select count(*)::int from public.projects where owner_id = 'a0000000-0000-4000-8000-00000000000a'), 1, 'refused calls wrote nothing');

-- keys are per owner
select tests.as_user('b0000000-0000-4000-8000-00000000000b');
create temp table bobs as select * from public.create_complete_project(p_name => 'Keyed', p_idempotency_key => 'key-1');
reset role;
select is((select created from bobs), true, 'another user''s identical key is another key');
select isnt((select project_id from bobs), (select project_id from first), 'and another project');

-- no key: the duplicate window
select tests.as_user('a0000000-0000-4000-8000-00000000000a');
create temp table w1 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'astro');
create temp table w2 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'astro');
create temp table w3 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'remix');
reset role;
select is((select created from w2), false, 'without a key, the same name and framework within the window is a duplicate');
select is((select project_id from w2), (select project_id from w1), 'and returns the existing project');
select is((select created from w3), true, 'another framework is another project');

select set_config('projects.duplicate_window', '0 seconds', true);
select tests.as_user('a0000000-0000-4000-8000-00000000000a');
create temp table w4 as select * from public.create_complete_project(p_name => 'Windowed', p_framework => 'astro');
reset role;
select is((select created from w4), true, 'projects.duplicate_window = 0 disables the window');
select set_config('projects.duplicate_window', '', true);

-- the key row is kept with its result
select results_eq(
  $$ select operation, project_id from public.idempotency_keys where owner_id = 'a0000000-0000-4000-8000-00000000000a' and idempotency_key = 'key-1' $$,
  $$ select 'create_complete_project', project_id from first $$, 'the key row records its operation and result');
select is((select count(*)::int from public.idempotency_keys where idempotency_key = 'key-1'), 2, 'one key row per owner');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
