-- A replay answers from one read of the key and its project, and still checks
-- everything the key's fingerprint does not cover: who calls, for whom, the
-- request id (passed or from the x-request-id header) and an end user's
-- p_source. Each refusal below is the one a first call gets, and writes nothing.
begin;
select plan(18);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- the first calls: alice for herself, the worker for alice
select tests.authenticate_as('alice');
create temp table first as select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1');
create temp table first_lazy as select * from public.create_project_for_build(p_name => 'Replayed lazily', p_idempotency_key => 'r-2');
select tests.clear_authentication();
select tests.authenticate_as_service_role();
create temp table first_worker as select * from public.create_complete_project(
  p_user_id => tests.get_supabase_uid('alice'), p_name => 'From the worker', p_source => 'worker-service', p_idempotency_key => 'r-3');
select tests.clear_authentication();

create temp table replays0 as select case when is_called then last_value else 0 end as n from private.idempotent_replays;
create temp table rows0 as select
  (select count(*) from public.projects) as projects, (select count(*) from public.project_events) as events,
  (select count(*) from public.idempotency_keys) as keys;

-- as alice: replays
select tests.authenticate_as('alice');
select results_eq(
  $$ select project_id, version_id, build_id, build_metrics_id, created, project_build_status
       from public.create_complete_project(p_name => '  Replayed  ', p_idempotency_key => 'r-1') $$,
  $$ select project_id, version_id, build_id, build_metrics_id, false, project_build_status from first $$,
  'a replay whose name differs only in surrounding spaces is the same request (names are trimmed)');
select results_eq(
  $$ select project_id, build_id, created from public.create_project_for_build(p_name => 'Replayed lazily', p_idempotency_key => 'r-2') $$,
  $$ select project_id, build_id, false from first_lazy $$,
  'create_project_for_build replays from its own key');
select results_eq(
  $$ select project_id, created from public.create_complete_project(
       p_user_id => tests.get_supabase_uid('alice'), p_name => 'Replayed', p_idempotency_key => 'r-1') $$,
  $$ select project_id, false from first $$,
  'a user naming itself in p_user_id replays');
select results_eq(
  $$ select project_id from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1', p_source => 'anything-else') $$,
  $$ select project_id from first $$,
  'an end user''s well-formed p_source does not change its replay (it is never recorded)');
select throws_ok(
  $$ select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1', p_source => 'Not A Service') $$,
  '22023', 'p_source must be a lowercase service name such as worker-service',
  'a malformed p_source is refused on a replay, as on a first call');
select throws_ok(
  $$ select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1', p_request_id => 'has spaces') $$,
  '22023', 'p_request_id must be 1 to 200 printable ASCII characters',
  'a malformed p_request_id is refused on a replay');
select set_config('request.headers', '{"x-request-id": "bad header id"}', true);
select throws_ok(
  $$ select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1') $$,
  '22023', 'p_request_id must be 1 to 200 printable ASCII characters',
  'so is a malformed x-request-id header');
select set_config('request.headers', '', true);
select throws_ok(
  $$ select * from public.create_complete_project(
       p_user_id => tests.get_supabase_uid('bob'), p_name => 'Replayed', p_idempotency_key => 'r-1') $$,
  '42501', 'an authenticated user may act only for itself',
  'a user acting for another user is refused, even with a key that user holds');
select throws_ok(
  $$ select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1', p_prompt => repeat('x', 100001)) $$,
  '22023', 'p_prompt must be null or 1 to 100000 characters, not only whitespace',
  'an over-long prompt under a used key is refused as bad input, before any lookup');
select throws_ok(
  $$ select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1', p_prompt => 'other') $$,
  'PT422', null, 'other parameters under the key are PT422');
select tests.clear_authentication();

-- as bob, alice's key is nobody's
select tests.authenticate_as('bob');
select is((select created from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1')), true,
  'another user with the same key and parameters creates its own project');
select tests.clear_authentication();

-- the worker: its p_source is part of the request
select tests.authenticate_as_service_role();
select results_eq(
  $$ select project_id, created from public.create_complete_project(
       p_user_id => tests.get_supabase_uid('alice'), p_name => 'From the worker', p_source => 'worker-service', p_idempotency_key => 'r-3') $$,
  $$ select project_id, false from first_worker $$,
  'the worker replays its own request');
select throws_ok(
  $$ select * from public.create_complete_project(
       p_user_id => tests.get_supabase_uid('alice'), p_name => 'From the worker', p_source => 'other-service', p_idempotency_key => 'r-3') $$,
  'PT422', null, 'a service''s p_source is part of its request: another source under the key is PT422');
select throws_ok(
  $$ select * from public.create_complete_project(p_name => 'From the worker', p_source => 'worker-service', p_idempotency_key => 'r-3') $$,
  '22023', null, 'a service that names no user is refused (p_user_id is required)');
select tests.clear_authentication();

-- anonymous callers never reach a replay
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'r-1') $$,
  '42501', null, 'anon cannot replay anyone''s key');
select tests.clear_authentication();

select is((select last_value - (select n from replays0) from private.idempotent_replays), 5::bigint,
  'the five replays are counted, the refused calls are not');
select is((select count(*) from public.projects) - (select projects from rows0), 1::bigint,
  'only bob''s call created a project');
select is((select count(*) from public.idempotency_keys) - (select keys from rows0), 1::bigint,
  'and only its key was stored');

select * from finish();
rollback;
