-- prune_idempotency_records: keys older than the window go, in batches; newer
-- ones stay; a pruned key creates anew; service_role only.
begin;
select plan(11);
select tests.use_fixtures();  -- alice, bob and the scratch table ids (000_helpers)

select tests.as_user('a0000000-0000-4000-8000-00000000000a');
select * from public.create_project_for_build(p_name => 'Old', p_idempotency_key => 'old-key');
select * from public.create_project_for_build(p_name => 'Old', p_idempotency_key => 'old-key');
select * from public.create_project_for_build(p_name => 'New', p_idempotency_key => 'new-key');
reset role;
-- age the first key by eight days
update public.idempotency_keys set created_at = created_at - interval '8 days' where idempotency_key = 'old-key';

select tests.as_service();
create temp table r as select * from public.prune_idempotency_records();
reset role;
select results_eq($$ select keys_deleted >= 1 from r $$, $$ values (true) $$, 'keys older than seven days are deleted');
select is((select count(*)::int from public.idempotency_keys where idempotency_key = 'old-key'), 0, 'the old key is gone');
select is((select count(*)::int from public.idempotency_keys where idempotency_key = 'new-key'), 1, 'the recent key stays');
select is((select count(*)::int from public.projects where owner_id = 'a0000000-0000-4000-8000-00000000000a'), 2,
  'projects are never pruned');

select tests.as_user('a0000000-0000-4000-8000-00000000000a');
create temp table again as select * from public.create_project_for_build(p_name => 'Old', p_idempotency_key => 'old-key');
reset role;
select is((select created from again), true, 'a pruned key creates anew (the window is the retry horizon)');

-- batches
insert into public.idempotency_keys (owner_id, idempotency_key, operation, fingerprint, project_id, created_at)
select 'a0000000-0000-4000-8000-00000000000a', 'batch-' || n, 'create_project_for_build', 'x',
       (select project_id from again), now() - interval '30 days'
  from generate_series(1, 5) n;
select tests.as_service();
select results_eq($$ select keys_deleted from public.prune_idempotency_records(p_batch_size => 2) $$, $$ values (2::bigint) $$,
  'at most p_batch_size keys per call');
select throws_ok($$ select * from public.prune_idempotency_records(p_older_than => interval '5 minutes') $$, '22023', null,
  'a window under one hour is refused');
select throws_ok($$ select * from public.prune_idempotency_records(p_batch_size => 0) $$, '22023', null, 'a batch size of 0 is refused');
reset role;

select tests.as_user('a0000000-0000-4000-8000-00000000000a');
select throws_ok($$ select * from public.prune_idempotency_records() $$, '42501', null, 'users cannot prune');
reset role;
select ok(not has_function_privilege('anon', 'public.prune_idempotency_records(interval, integer)', 'execute'), 'anon cannot prune');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
