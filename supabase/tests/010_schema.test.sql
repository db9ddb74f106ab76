-- Schema: the tables of projects, their builds, versions, AI time, events,
-- idempotency keys, clients and the worker's status words; their keys, the
-- named constraints that keep a project's timing and current build
-- consistent, an index for every foreign key, and row-level security on
-- every table.
begin;
select plan(57);
select tests.create_supabase_user('alice');

-- tables
select has_table('public', t, format('table public.%s exists', t))
  from unnest(array['frameworks', 'projects', 'project_build_metrics', 'project_versions', 'ai_time_sessions',
                    'project_events', 'idempotency_keys', 'clients', 'worker_status_map']) as t;
select has_sequence('private', 'idempotent_replays', 'replays are counted by a sequence, not a row per replay');

-- row-level security on every public table
select ok(c.relrowsecurity, format('row-level security is enabled on public.%s', c.relname))
  from pg_class c
 where c.relnamespace = 'public'::regnamespace and c.relkind = 'r'
 order by c.relname;

-- projects
select col_type_is('public', 'projects', 'id', 'uuid', 'projects.id is a uuid');
select col_type_is('public', 'projects', 'user_id', 'uuid', 'projects.user_id is a uuid');
select col_type_is('public', 'projects', 'current_build_id', 'ulid', 'projects.current_build_id is a ULID');
select col_type_is('public', 'projects', 'current_version_id', 'ulid', 'projects.current_version_id is a ULID');
select col_type_is('public', 'projects', 'last_build_started', 'timestamp with time zone', 'projects.last_build_started is a timestamptz');
select col_not_null('public', 'projects', 'created_by_service', 'projects.created_by_service is required: every project records who created it');
select col_default_is('public', 'projects', 'build_status', 'queued', 'a project is queued by default');
select fk_ok('public', 'projects', 'user_id', 'auth', 'users', 'id', 'projects.user_id references auth.users');
select has_check('public', 'projects', 'projects has CHECK constraints');

-- the named constraints (a violation names the rule it broke)
select ok(exists (select from pg_constraint where conname = c), format('constraint %s exists', c))
  from unnest(array[
    'projects_build_timing_logical', 'projects_current_build_fk', 'projects_current_version_fk',
    'projects_name_valid', 'projects_build_status_valid', 'projects_framework_fk',
    'project_build_metrics_timing_logical', 'project_build_metrics_status_valid',
    'project_build_metrics_outcome_consistent', 'project_build_metrics_duration_matches',
    'project_versions_build_id_key', 'project_versions_build_fk',
    'ai_time_sessions_timing_logical', 'ai_time_sessions_build_id_key', 'clients_id_format']) as c;

select is(
  (select confdeltype from pg_constraint where conname = 'projects_user_id_fkey'), 'c',
  'deleting a user cascades to their projects');
select is(
  (select array_agg(distinct confdeltype) from pg_constraint
    where contype = 'f' and conrelid in ('public.project_build_metrics'::regclass, 'public.project_versions'::regclass,
                                          'public.ai_time_sessions'::regclass, 'public.project_events'::regclass)
      and confrelid = 'public.projects'::regclass),
  array['c']::"char"[],
  'children cascade from projects');

-- the ULID domain
select has_domain('public', 'ulid', 'domain public.ulid exists');
select lives_ok($$ select '01ARZ3NDEKTSV4RRFFQ69G5FAV'::public.ulid $$, 'a valid ULID passes the domain');
select throws_ok($$ select '01arz3ndektsv4rrffq69g5fav'::public.ulid $$, '23514', null, 'lowercase is refused by the domain');
select throws_ok($$ select '01ARZ3NDEKTSV4RRFFQ69G5FAI'::public.ulid $$, '23514', null, 'I is not Crockford base32');
select throws_ok($$ select '81ARZ3NDEKTSV4RRFFQ69G5FAV'::public.ulid $$, '23514', null, 'a first character above 7 overflows 48 bits');
select throws_ok($$ select '01ARZ3NDEKTSV4RRFFQ69G5FA'::public.ulid $$, '23514', null, '25 characters are refused');

-- one build in flight per project
select has_index('public', 'project_build_metrics', 'project_build_metrics_one_in_flight', 'a partial unique index allows one in-flight build per project');
select ok((select indisunique from pg_index where indexrelid = 'public.project_build_metrics_one_in_flight'::regclass),
  'project_build_metrics_one_in_flight is unique');

-- every foreign key column is the leading column of an index
select is(
  (select array_agg(format('%s.%s', c.conrelid::regclass, a.attname) order by 1)
     from pg_constraint c
     join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
    where c.contype = 'f' and c.connamespace = 'public'::regnamespace
      and not exists (select from pg_index i where i.indrelid = c.conrelid and i.indkey[0] = c.conkey[1])),
  null,
  'every foreign key has an index leading with its column');

-- as the database owner: the constraints hold for direct writes too
select create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Timing');
select throws_ok(
  $$ update public.projects set last_build_completed = last_build_started - interval '1 second'
      where user_id = tests.get_supabase_uid('alice') $$,
  '23514', null, 'projects_build_timing_logical refuses a completion before the start');
select throws_ok(
  $$ update public.projects set current_build_id = '01ARZ3NDEKTSV4RRFFQ69G5FAV'
      where user_id = tests.get_supabase_uid('alice') $$,
  '23503', null, 'projects_current_build_fk refuses a build that does not exist');
select throws_ok(
  $$ insert into public.project_build_metrics (build_id, project_id, user_id, framework)
     select generate_ulid(), id, user_id, framework from public.projects
      where user_id = tests.get_supabase_uid('alice') $$,
  '23505', null, 'a second in-flight build for a project is refused');

select * from finish();
rollback;
