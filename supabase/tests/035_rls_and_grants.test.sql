-- Row-level security and grants: owners read their own rows, nobody but the
-- functions and service_role writes, and each function is executable by
-- exactly the roles its comment names.
begin;
select plan(41);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- as alice, then as bob: each creates a project, alice a client too
select tests.authenticate_as('alice');
select * from public.create_complete_project(p_name => 'Alice''s');
select * from public.get_or_create_client(p_id => 'chat-alice', p_name => 'Alice''s client');
select tests.clear_authentication();
select tests.authenticate_as('bob');
select * from public.create_complete_project(p_name => 'Bob''s');
select tests.clear_authentication();

-- as alice
select tests.authenticate_as('alice');
select results_eq($$ select name from public.projects $$, $$ values ('Alice''s') $$, 'alice reads only her projects');
select is((select count(*)::int from public.project_build_metrics), 1, 'alice reads only her builds');
select is((select count(*)::int from public.project_versions), 1, 'alice reads only her versions');
select is((select count(*)::int from public.ai_time_sessions), 1, 'alice reads only her AI time');
select is((select count(*)::int from public.project_events), 4, 'alice reads only her events');
select is((select count(*)::int from public.clients), 1, 'alice reads only her clients');
select ok((select count(*) > 0 from public.frameworks), 'anyone signed in reads the frameworks');
select throws_ok($$ select * from public.idempotency_keys $$, '42501', null, 'idempotency keys are not readable by users');
select throws_ok($$ insert into public.projects (user_id, name, framework, created_by_service)
                    values (tests.get_supabase_uid('alice'), 'direct', 'react', 'nextjs') $$,
  '42501', null, 'users cannot insert projects directly');
select throws_ok($$ update public.projects set name = 'renamed' $$, '42501', null, 'users cannot update projects directly');
select throws_ok($$ delete from public.projects $$, '42501', null, 'users cannot delete projects directly');
select throws_ok($$ update public.project_build_metrics set status = 'completed' $$, '42501', null, 'users cannot update builds directly');
select throws_ok($$ insert into public.project_events (event_type, user_id, actor_role) values ('project_created', tests.get_supabase_uid('alice'), 'x') $$,
  '42501', null, 'users cannot forge audit events');
select throws_ok($$ insert into public.clients (id, user_id, name) values ('forged', tests.get_supabase_uid('alice'), 'x') $$,
  '42501', null, 'users cannot insert clients directly');
select throws_ok($$ insert into public.frameworks (name, label) values ('cobol', 'COBOL') $$, '42501', null, 'users cannot add frameworks');
select tests.clear_authentication();

-- as anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.projects $$, '42501', null, 'anon cannot read projects');
select throws_ok($$ select * from public.clients $$, '42501', null, 'anon cannot read clients');
select ok((select count(*) > 0 from public.frameworks), 'anon reads the frameworks');
select throws_ok($$ select setval('public.project_build_metrics_id_seq', 9223372036854775807) $$, '42501', null,
  'anon cannot move an identity sequence (which would make every later creation fail)');
select tests.clear_authentication();

-- as alice again
select tests.authenticate_as('alice');
select throws_ok($$ select setval('public.project_events_id_seq', 9223372036854775807) $$, '42501', null,
  'nor can a signed-in user');
select tests.clear_authentication();

-- as service_role
select tests.authenticate_as_service_role();
select is((select count(*)::int from public.projects where user_id in (tests.get_supabase_uid('alice'), tests.get_supabase_uid('bob'))), 2, 'service_role reads every user''s projects');
select tests.clear_authentication();

-- function privileges
select ok(has_function_privilege(r, f, 'execute') = expected, format('%s %s execute %s', r, case when expected then 'may' else 'may not' end, f))
  from (values
    ('authenticated', 'public.start_build(uuid, text, text, text, text)', true),
    ('anon', 'public.start_build(uuid, text, text, text, text)', false),
    ('authenticated', 'public.complete_build(text, text, text, text)', false),
    ('service_role', 'public.complete_build(text, text, text, text)', true),
    ('anon', 'public.complete_build(text, text, text, text)', false),
    ('authenticated', 'public.create_version_on_success(text, text, text)', false),
    ('service_role', 'public.create_version_on_success(text, text, text)', true),
    ('authenticated', 'public.get_build_status(text)', true),
    ('anon', 'public.get_build_status(text)', false),
    ('authenticated', 'public.get_or_create_client(text, text, text, text, text, uuid, text)', true),
    ('authenticated', 'public.check_invariants()', false),
    ('service_role', 'public.check_invariants()', true),
    ('authenticated', 'public.get_project_metrics(interval)', false),
    ('service_role', 'public.get_project_metrics(interval)', true),
    ('anon', 'public.map_worker_status(text)', true)
  ) as t (r, f, expected);
select ok(not has_schema_privilege('authenticated', 'private', 'usage'), 'the private schema is not usable by users');

-- every function in public: documented, definer only where the functions are the way in
-- (search_path: 037_definer_hygiene; the whole grant matrix: 036_grants)
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
      where p.pronamespace = 'public'::regnamespace and obj_description(p.oid, 'pg_proc') is null $$,
  'every public function has a comment');
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
      where p.pronamespace = 'private'::regnamespace
        and (has_function_privilege('authenticated', p.oid, 'execute') or has_schema_privilege('authenticated', 'private', 'usage')) $$,
  'private helpers are not callable by users: they run only inside the functions of public');
select bag_eq(
  $$ select p.proname::text from pg_proc p where p.pronamespace = 'public'::regnamespace and p.prosecdef $$,
  $$ values ('create_complete_project'), ('create_project_for_build'), ('start_build'), ('complete_build'),
            ('create_version_on_success'), ('get_or_create_client'), ('get_project_metrics'), ('check_invariants'),
            ('prune_idempotency_records') $$,
  'exactly the write functions and the service reports are security definer');
select is_empty(
  $$ select p.oid::regprocedure::text from pg_proc p
      where p.pronamespace = 'public'::regnamespace and has_function_privilege('public', p.oid, 'execute')
$$,
  'PUBLIC executes no function: each is granted to the roles that may call it');

select * from finish();
rollback;
