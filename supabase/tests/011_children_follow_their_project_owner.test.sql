-- A build, a version, an AI-time session and an idempotency key belong to their
-- project's owner: each references its project by (user_id, project_id), so
-- the database refuses a row whose user_id is not the project's owner, whoever
-- writes it; changing a project's owner carries its rows along, and deleting
-- the owner removes them all.
begin;
select plan(16);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

select fk_ok('public', 'project_build_metrics', array['user_id', 'project_id'], 'public', 'projects', array['user_id', 'id'],
  'a build references its project together with the project''s owner');
select fk_ok('public', 'project_versions', array['user_id', 'project_id'], 'public', 'projects', array['user_id', 'id'],
  'so does a version');
select fk_ok('public', 'ai_time_sessions', array['user_id', 'project_id'], 'public', 'projects', array['user_id', 'id'],
  'so does an AI-time session');
select fk_ok('public', 'idempotency_keys', array['user_id', 'project_id'], 'public', 'projects', array['user_id', 'id'],
  'so does an idempotency key');
select is_empty(
  $$ select c.conname from pg_constraint c
      where c.contype = 'f' and c.confrelid = 'auth.users'::regclass
        and c.conrelid in ('public.project_build_metrics'::regclass, 'public.project_versions'::regclass,
                           'public.ai_time_sessions'::regclass, 'public.idempotency_keys'::regclass) $$,
  'none of them references auth.users itself: the project''s key ties the owner to auth.users');
select is_empty(
  $$ select conname from pg_constraint where conname like '%\_project\_owner\_fk' and not convalidated $$,
  'the four keys are validated: rows written before them were checked too');

-- as service_role: alice's project, with a key
select tests.authenticate_as_service_role();
insert into ids select 'p', project_id::text from public.create_complete_project(
  p_user_id => tests.get_supabase_uid('alice'), p_name => 'Owned', p_idempotency_key => 'owned-1');
insert into ids select 'b', current_build_id from public.projects where id = tests.id('p')::uuid;
select tests.clear_authentication();

-- as the database owner, writing past the functions
select throws_ok(
  format($$ update public.project_build_metrics set user_id = %L where build_id = %L $$, tests.get_supabase_uid('bob'), tests.id('b')),
  '23503', null, 'a build cannot belong to anyone but its project''s owner');
select throws_ok(
  format($$ update public.ai_time_sessions set user_id = %L where build_id = %L $$, tests.get_supabase_uid('bob'), tests.id('b')),
  '23503', null, 'nor can an AI-time session');
select throws_ok(
  format($$ update public.project_versions set user_id = %L where project_id = %L $$, tests.get_supabase_uid('bob'), tests.id('p')),
  '23503', null, 'nor a version');
select throws_ok(
  format($$ insert into public.idempotency_keys (user_id, idempotency_key, operation, fingerprint, project_id)
            values (%L, 'stolen', 'create_complete_project', 'x', %L) $$, tests.get_supabase_uid('bob'), tests.id('p')),
  '23503', null, 'and no key of another user can point at the project');

update public.projects set user_id = tests.get_supabase_uid('bob') where id = tests.id('p')::uuid;
select is((select count(*)::int from public.project_build_metrics where project_id = tests.id('p')::uuid and user_id = tests.get_supabase_uid('bob')), 1,
  'changing a project''s owner carries its build along');
select is((select count(*)::int from public.project_versions where project_id = tests.id('p')::uuid and user_id = tests.get_supabase_uid('bob')), 1,
  'its version');
select is((select count(*)::int from public.idempotency_keys where project_id = tests.id('p')::uuid and user_id = tests.get_supabase_uid('bob')), 1,
  'and its key');

delete from auth.users where id = tests.get_supabase_uid('bob');
select is((select count(*)::int from public.projects where id = tests.id('p')::uuid), 0, 'deleting the owner deletes the project');
select is((select count(*)::int from public.project_build_metrics where project_id = tests.id('p')::uuid)
        + (select count(*)::int from public.ai_time_sessions where project_id = tests.id('p')::uuid)
        + (select count(*)::int from public.project_versions where project_id = tests.id('p')::uuid), 0,
  'and its builds, sessions and versions');
select is((select count(*)::int from public.idempotency_keys where project_id = tests.id('p')::uuid), 0, 'and its keys');

select * from finish();
rollback;
