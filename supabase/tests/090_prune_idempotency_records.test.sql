-- prune_idempotency_records: keys older than the window go, in batches; newer
-- ones stay; a pruned key creates anew; service_role only.
begin;
select plan(11);
select tests.create_supabase_user('alice');

-- as alice: an old key (sent twice) and a new one
select tests.authenticate_as('alice');
select * from public.create_project_for_build(p_name => 'Old', p_idempotency_key => 'old-key');
select * from public.create_project_for_build(p_name => 'Old', p_idempotency_key => 'old-key');
select * from public.create_project_for_build(p_name => 'New', p_idempotency_key => 'new-key');
select tests.clear_authentication();
-- as the database owner: age the first key by eight days
update public.idempotency_keys set created_at = created_at - interval '8 days' where idempotency_key = 'old-key';

-- as service_role
select tests.authenticate_as_service_role();
create temp table r as select * from public.prune_idempotency_records();
select tests.clear_authentication();
select results_eq($$ select keys_deleted >= 1 from r $$, $$ values (true) $$, 'keys older than seven days are deleted');
select is((select count(*)::int from public.idempotency_keys where idempotency_key = 'old-key'), 0, 'the old key is gone');
select is((select count(*)::int from public.idempotency_keys where idempotency_key = 'new-key'), 1, 'the recent key stays');
select is((select count(*)::int from public.projects where user_id = tests.get_supabase_uid('alice')), 2,
  'projects are never pruned');

-- as alice, with the pruned key again
select tests.authenticate_as('alice');
create temp table again as select * from public.create_project_for_build(p_name => 'Old', p_idempotency_key => 'old-key');
select tests.clear_authentication();
select is((select created from again), true, 'a pruned key creates anew (the window is the retry horizon)');

-- as the database owner: five keys thirty days old
insert into public.idempotency_keys (user_id, idempotency_key, operation, fingerprint, project_id, created_at)
select tests.get_supabase_uid('alice'), 'batch-' || n, 'create_project_for_build', 'x',
       (select project_id from again), now() - interval '30 days'
  from generate_series(1, 5) n;

-- as service_role: batches
select tests.authenticate_as_service_role();
select results_eq($$ select keys_deleted from public.prune_idempotency_records(p_batch_size => 2) $$, $$ values (2::bigint) $$,
  'at most p_batch_size keys per call');
select throws_ok($$ select * from public.prune_idempotency_records(p_older_than => interval '5 minutes') $$, '22023', null,
  'a window under one hour is refused');
select throws_ok($$ select * from public.prune_idempotency_records(p_batch_size => 0) $$, '22023', null, 'a batch size of 0 is refused');
select tests.clear_authentication();

-- as alice
select tests.authenticate_as('alice');
select throws_ok($$ select * from public.prune_idempotency_records() $$, '42501', null, 'users cannot prune');
select tests.clear_authentication();
select ok(not has_function_privilege('anon', 'public.prune_idempotency_records(interval, integer)', 'execute'), 'anon cannot prune');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
