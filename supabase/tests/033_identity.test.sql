-- Identity and permissions (Supabase semantics): an authenticated user acts
-- only for itself; service_role and the database owner act for any existing
-- user; anon cannot execute; p_project_id is checked like an idempotency key (same owner and
-- parameters replay, other parameters are PT422, another owner's id is PT409); p_source only counts for service_role.
begin;
select plan(27);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');
select tests.create_supabase_user('carol');
delete from auth.users where id = tests.get_supabase_uid('carol');  -- her account is gone, her token is not

-- as alice
select tests.authenticate_as('alice');
select throws_ok($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('bob'), p_name => 'x') $$,
  '42501', null, 'an authenticated user cannot create for another user');
select throws_ok($$ select * from public.create_project_for_build(p_user_id => tests.get_supabase_uid('bob'), p_name => 'x') $$,
  '42501', null, 'nor through create_project_for_build');
select lives_ok($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Mine') $$,
  'an authenticated user may name itself in p_user_id');
create temp table claimed as select * from public.create_complete_project(p_name => 'Claims to be the worker', p_source => 'worker-service');
grant select on claimed to public;
insert into ids values ('chosen', gen_random_uuid()::text);
select is((select project_id::text from public.create_complete_project(p_name => 'Chosen', p_project_id => tests.id('chosen')::uuid)),
  tests.id('chosen'), 'an end user may choose the id of a new project (the web app''s projectId)');
select tests.clear_authentication();

-- as alice, on a connection that still carries bob's id in a legacy per-claim setting
-- left at session level (as a pooled connection may)
select set_config('request.jwt.claim.sub', tests.get_supabase_uid('bob')::text, false);
select tests.authenticate_as('alice');
create temp table stale as select * from public.create_project_for_build(p_name => 'Stale claim');
grant select on stale to public;
select tests.clear_authentication();
select is((select user_id from public.projects p join stale s on s.project_id = p.id), tests.get_supabase_uid('alice'),
  'the caller comes from request.jwt.claims: a stale request.jwt.claim.sub names nobody');
select is(current_setting('request.jwt.claim.sub'), tests.get_supabase_uid('bob')::text, 'the stale setting was there all along');
select set_config('request.jwt.claim.sub', '', false);

-- as a token of the role authenticated without a subject
select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '{"role":"authenticated"}', true);
select throws_ok($$ select * from public.create_complete_project(p_name => 'x') $$, '42501', null, 'a token without a subject is refused');
select tests.clear_authentication();

-- as carol, whose account was deleted
select tests.authenticate_as('carol');
select throws_ok($$ select * from public.create_complete_project(p_name => 'x') $$, '23503', null, 'a subject missing from auth.users is refused');
select tests.clear_authentication();

-- as anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.create_complete_project(p_name => 'x') $$, '42501', null, 'anon cannot create projects');
select throws_ok($$ select * from public.create_project_for_build(p_name => 'x') $$, '42501', null, 'anon cannot create projects for build');
select throws_ok($$ select * from public.get_or_create_client(p_id => 'c1', p_name => 'x') $$, '42501', null, 'anon cannot create clients');
select tests.clear_authentication();

-- as service_role
select tests.authenticate_as_service_role();
select throws_ok($$ select * from public.create_complete_project(p_name => 'x') $$, '22023', null, 'service_role must name the user');
select throws_ok($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('carol'), p_name => 'x') $$,
  '23503', null, 'service_role cannot create for a user that does not exist');
select throws_ok($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('alice'), p_name => 'x', p_source => 'Worker Service') $$,
  '22023', null, 'p_source must be a lowercase service name');
insert into ids values ('legacy', gen_random_uuid()::text);
create temp table l1 as select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Legacy',
  p_project_id => tests.id('legacy')::uuid);
create temp table l2 as select * from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Legacy',
  p_project_id => tests.id('legacy')::uuid);
select is((select project_id::text from l1), tests.id('legacy'), 'service_role may pass a legacy project id, and it is used');
select is((select created from l1), true, 'the legacy id creates the project');
select results_eq($$ select project_id, build_id, created from l2 $$, $$ select project_id, build_id, false from l1 $$,
  'the same legacy id for the same owner and parameters returns that project (created = false)');
select throws_ok(
  format($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Legacy again', p_project_id => %L) $$,
         tests.id('legacy')),
  'PT422', null, 'the same legacy id with another name is refused like a reused key');
select throws_ok(
  format($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Legacy', p_prompt => 'other', p_project_id => %L) $$,
         tests.id('legacy')),
  'PT422', null, 'and with another prompt');
select throws_ok(
  format($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('bob'), p_name => 'Steal', p_project_id => %L) $$,
         tests.id('legacy')),
  'PT409', null, 'a legacy id owned by another user is refused');
select throws_ok(
  format($$ select * from public.create_complete_project(p_user_id => tests.get_supabase_uid('carol'), p_name => 'Steal', p_project_id => %L) $$,
         tests.id('legacy')),
  'PT409', null, 'another owner''s legacy id is PT409 even for a user that does not exist (the id is checked before the user)');
select tests.clear_authentication();
select is((select count(*)::int from public.projects where user_id = tests.get_supabase_uid('bob')), 0,
  'nothing was written for the refused calls');
select is((select count(*)::int from public.projects where user_id = tests.get_supabase_uid('alice')), 5,
  'alice has her four projects and the legacy one');
select is((select created_by_service from public.projects p join claimed c on c.project_id = p.id), 'authenticated',
  'an end user cannot claim to be the worker: p_source is ignored, the role is recorded');

-- privileges
select ok(not has_function_privilege('anon', 'public.create_complete_project(uuid, text, text, text, text, uuid, text, text)', 'execute'),
  'anon has no EXECUTE on create_complete_project');
select ok(not has_function_privilege('public', 'public.create_project_for_build(uuid, text, text, text, text, uuid, text, text)', 'execute'),
  'PUBLIC has no EXECUTE on create_project_for_build');
select is_empty($$ select * from public.check_invariants() $$, 'every invariant holds');

select * from finish();
rollback;
