-- Audit and monitoring: every transition writes an event with actor role,
-- source and request id; get_project_metrics counts what an operator watches
-- (creations, builds by outcome, builds in flight, replays, the success rate
-- and the average build time), for service_role only.
begin;
select plan(16);
select tests.create_supabase_user('alice');

-- metrics are global: measure this scenario as the difference from before it
create temp table m0 as select * from public.get_project_metrics(interval '1 hour');

-- as service_role, the worker, in one request: alice's project through every transition
select tests.authenticate_as_service_role();
select set_config('request.headers', '{"x-request-id":"trace-1"}', true);
insert into ids select 'p', project_id::text from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Audited', p_source => 'worker-service');
-- the same creation again within the duplicate window: a replay, not a project
select * from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Audited', p_source => 'worker-service');
insert into ids select 'b1', current_build_id from public.projects where id = tests.id('p')::uuid;
insert into ids select 'b2', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
select * from public.complete_build(p_build_id => tests.id('b2'), p_status => 'completed');
insert into ids select 'b3', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
select * from public.complete_build(p_build_id => tests.id('b3'), p_status => 'failed');
insert into ids select 'b4', build_id from public.start_build(p_project_id => tests.id('p')::uuid);
select * from public.complete_build(p_build_id => tests.id('b4'), p_status => 'canceled');
select * from public.get_or_create_client(p_id => 'chat-audit', p_name => 'Client', p_user_id => tests.get_supabase_uid('alice'));
select set_config('request.headers', '', true);
select tests.clear_authentication();

select bag_eq(
  $$ select event_type from public.project_events where project_id = tests.id('p')::uuid $$,
  $$ values ('project_created'), ('build_started'), ('build_started'), ('build_superseded'), ('build_completed'), ('version_created'),
            ('build_started'), ('build_failed'), ('build_started'), ('build_canceled') $$,
  'every transition wrote its event');
select is((select count(*)::int from public.project_events where event_type = 'client_created' and client_id = 'chat-audit'), 1, 'client_created too');
select is((select count(*)::int from public.project_events where project_id = tests.id('p')::uuid and actor_role <> 'service_role'), 0,
  'events record the actor role');
select is((select count(*)::int from public.project_events where user_id = tests.get_supabase_uid('alice') and request_id is distinct from 'trace-1'), 0,
  'events record the request id');
select is((select source from public.project_events where project_id = tests.id('p')::uuid and event_type = 'project_created'), 'worker-service',
  'events record the source service');
select is((select payload ->> 'superseded_by' from public.project_events where event_type = 'build_superseded' and build_id = tests.id('b1')),
  tests.id('b2'), 'a superseded event names its successor');
select ok(exists (select from pg_publication_tables where tablename = 'project_events') or not exists (select from pg_publication where pubname = 'supabase_realtime'),
  'project_events is published to Supabase Realtime where Realtime exists');

-- as service_role, reading the metrics
select tests.authenticate_as_service_role();
create temp table m as select * from public.get_project_metrics(interval '1 hour');
select tests.clear_authentication();
select results_eq(
  $$ select m.projects_created - m0.projects_created, m.builds_started - m0.builds_started, m.builds_completed - m0.builds_completed,
            m.builds_failed - m0.builds_failed, m.builds_canceled - m0.builds_canceled, m.builds_superseded - m0.builds_superseded,
            m.in_flight_builds - m0.in_flight_builds, m.idempotent_replays - m0.idempotent_replays from m, m0 $$,
  $$ values (1::bigint, 4::bigint, 1::bigint, 1::bigint, 1::bigint, 1::bigint, 0::bigint, 1::bigint) $$,
  'metrics: creations, builds by outcome, in flight and replays (the duplicate in the window)');
select is((select success_rate from m),
  (select round(count(*) filter (where status = 'completed')::numeric / nullif(count(*) filter (where status in ('completed', 'failed', 'canceled')), 0), 4)
     from public.project_build_metrics where started_at >= (select window_start from m)),
  'success rate is completed over finished');
select ok((select avg_build_duration_ms >= 0 from m), 'average duration of finished builds');

-- as service_role, with bad input
select tests.authenticate_as_service_role();
select throws_ok($$ select * from public.get_project_metrics(interval '0') $$, '22023', null, 'a zero window is 22023');
select throws_ok($$ select * from public.get_project_metrics(interval '400 days') $$, '22023', null, 'a window over 366 days is 22023');
select throws_ok($$ select * from public.get_project_metrics(null) $$, '22023', null, 'a null window is 22023');
select tests.clear_authentication();

-- as alice
select tests.authenticate_as('alice');
select throws_ok($$ select * from public.get_project_metrics() $$, '42501', null, 'users cannot read the metrics');
select throws_ok($$ select * from public.check_invariants() $$, '42501', null, 'users cannot run the invariants check');
select tests.clear_authentication();
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
