-- The grant matrix, read from the catalog: what PUBLIC, anon, authenticated
-- and service_role may do on every table, view, sequence and function in
-- public and private, the schemas they may use, and the default privileges
-- for objects created later. Every object of the two schemas must be listed
-- here with exactly its grants: a new one fails this suite until it is.
-- ('ALL' is every privilege the object's kind has on this server version.)
begin;
select plan(8);
-- Names print schema-qualified when public is not on the search_path (pgTAP's schema is).
set local search_path = tests, extensions;

create temp table expected_relation_grants (object text, grantee text, privileges text);
insert into expected_relation_grants values
  ('public.frameworks', 'anon', 'SELECT'), ('public.frameworks', 'authenticated', 'SELECT'), ('public.frameworks', 'service_role', 'ALL'),
  ('public.worker_status_map', 'anon', 'SELECT'), ('public.worker_status_map', 'authenticated', 'SELECT'), ('public.worker_status_map', 'service_role', 'ALL'),
  ('public.projects', 'authenticated', 'SELECT'), ('public.projects', 'service_role', 'ALL'),
  ('public.project_build_metrics', 'authenticated', 'SELECT'), ('public.project_build_metrics', 'service_role', 'ALL'),
  ('public.project_versions', 'authenticated', 'SELECT'), ('public.project_versions', 'service_role', 'ALL'),
  ('public.ai_time_sessions', 'authenticated', 'SELECT'), ('public.ai_time_sessions', 'service_role', 'ALL'),
  ('public.project_events', 'authenticated', 'SELECT'), ('public.project_events', 'service_role', 'ALL'),
  ('public.clients', 'authenticated', 'SELECT'), ('public.clients', 'service_role', 'ALL'),
  ('public.idempotency_keys', 'service_role', 'ALL');

-- Objects nobody but their owner may touch are listed with a null grantee.
create temp table expected_relations (object text);
insert into expected_relations
  select distinct object from expected_relation_grants
  union all
  select unnest(array['public.project_build_metrics_id_seq', 'public.ai_time_sessions_id_seq',
                      'public.project_events_id_seq', 'private.idempotent_replays']);

create temp table expected_function_grants (object text, grantee text);
insert into expected_function_grants
  select f, r from unnest(array['public.generate_ulid()', 'public.ulid_to_timestamp(text)', 'public.map_worker_status(text)']) as f
    cross join unnest(array['anon', 'authenticated', 'service_role']) as r
  union all
  select f, r from unnest(array[
      'public.create_complete_project(uuid,text,text,text,text,uuid,text,text)',
      'public.create_project_for_build(uuid,text,text,text,text,uuid,text,text)',
      'public.start_build(uuid,text,text,text,text)',
      'public.get_build_status(text)',
      'public.get_project_feed(uuid,text,integer)',
      'public.get_or_create_client(text,text,text,text,text,uuid,text)']) as f
    cross join unnest(array['authenticated', 'service_role']) as r
  union all
  select f, 'service_role' from unnest(array[
      'public.complete_build(text,text,text,text)',
      'public.create_version_on_success(text,text,text)',
      'public.get_project_metrics(interval)',
      'public.check_invariants()',
      'public.prune_idempotency_records(interval,integer)']) as f;

create temp table expected_functions (object text);
insert into expected_functions
  select distinct object from expected_function_grants
  union all
  select 'private.' || f from unnest(array[
    'caller()', 'resolve_user(uuid)', 'check_name(text)', 'check_framework(text)', 'check_prompt(text)',
    'check_idempotency_key(text)', 'check_ulid(text,text)', 'check_request_id(text)', 'check_source(text)', 'duplicate_window()',
    'lock_timeout()', 'wait_for_owner_lock(uuid)', 'lock_owner(uuid)', 'lock_project(uuid)', 'fingerprint(text[])',
    'raise_key_reused(text)', 'count_replay()', 'replay_by_key(uuid,text,text)',
    'existing_project_result(public.projects)', 'find_existing_project(uuid,uuid,text,text,text)',
    'create_project(boolean,uuid,text,text,text,text,uuid,text,text)',
    'finish_superseded_build(public.project_build_metrics,text,text,text,text)',
    'finish_successful_build(public.project_build_metrics,text,text,text)',
    'finish_unsuccessful_build(public.project_build_metrics,text,text,text,text)',
    'finish_build(public.project_build_metrics,text,text,text,text,text)', 'lock_build(text)',
    'insert_build(public.projects,text,text,text,text,text,text)', 'start_build(uuid,text,text,text,text)']) as f;

-- The API roles and PUBLIC, as aclexplode names them.
create temp view api_grantees (oid, name) as
  select 0::oid, 'public' union all
  select oid, rolname::text from pg_roles where rolname in ('anon', 'authenticated', 'service_role');

select bag_eq(
  $$ select c.oid::regclass::text from pg_class c
      where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f') $$,
  $$ select object from expected_relations $$,
  'every table, view and sequence in public and private is in this suite''s list');

select bag_eq(
  $$ select c.oid::regclass::text, g.name,
            case when array_agg(a.privilege_type::text order by a.privilege_type) = (
                   select array_agg(d.privilege_type::text order by d.privilege_type)
                     from aclexplode(acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner)) d)
                 then 'ALL' else string_agg(a.privilege_type, ',' order by a.privilege_type) end
       from pg_class c
       cross join lateral aclexplode(coalesce(c.relacl, acldefault((case c.relkind when 'S' then 's' else 'r' end)::"char", c.relowner))) a
       join api_grantees g on g.oid = a.grantee
      where c.relnamespace in ('public'::regnamespace, 'private'::regnamespace) and c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
      group by c.oid, c.relkind, c.relowner, g.name $$,
  $$ select object, grantee, privileges from expected_relation_grants $$,
  'PUBLIC, anon, authenticated and service_role hold exactly the listed privileges on tables, views and sequences (none on sequences)');

select bag_eq(
  $$ select replace(p.oid::regprocedure::text, ', ', ',') from pg_proc p
      where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) $$,
  $$ select object from expected_functions $$,
  'every function in public and private is in this suite''s list');

select bag_eq(
  $$ select replace(p.oid::regprocedure::text, ', ', ','), g.name
       from pg_proc p
       cross join lateral aclexplode(coalesce(p.proacl, acldefault('f'::"char", p.proowner))) a
       join api_grantees g on g.oid = a.grantee
      where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) $$,
  $$ select object, grantee from expected_function_grants $$,
  'PUBLIC, anon, authenticated and service_role may execute exactly the listed functions (no private helper, nothing for PUBLIC)');

select bag_eq(
  $$ select n.nspname::text, g.name, string_agg(a.privilege_type, ',' order by a.privilege_type)
       from pg_namespace n
       cross join lateral aclexplode(coalesce(n.nspacl, acldefault('n'::"char", n.nspowner))) a
       join api_grantees g on g.oid = a.grantee
      where n.nspname in ('public', 'private', 'dbmate')
      group by 1, 2 $$,
  $$ values ('public', 'public', 'USAGE'), ('public', 'anon', 'USAGE'), ('public', 'authenticated', 'USAGE'),
            ('public', 'service_role', 'USAGE') $$,
  'the API roles use public only: private and dbmate (the migrations table) are nobody''s but the owner''s');

-- What Supabase's linter reports as anon_ and authenticated_security_definer_function_executable.
select bag_eq(
  $$ select p.proname::text, g.name
       from pg_proc p join api_grantees g on g.name in ('anon', 'authenticated')
      where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) and p.prosecdef
        and has_function_privilege(g.oid, p.oid, 'execute') $$,
  $$ select f, 'authenticated' from unnest(array['create_complete_project', 'create_project_for_build', 'start_build',
                                                  'get_or_create_client']) as f $$,
  'anon executes no SECURITY DEFINER function; authenticated only the user RPCs, each checking its caller itself');

-- Default privileges of the role that owns these objects (the migrating role).
select is_empty(
  $$ select d.defaclobjtype, g.name, a.privilege_type
       from pg_default_acl d
       cross join lateral aclexplode(d.defaclacl) a
       join api_grantees g on g.oid = a.grantee
      where d.defaclrole = (select relowner from pg_class where oid = 'public.projects'::regclass)
        and d.defaclnamespace in ('public'::regnamespace, 'private'::regnamespace) $$,
  'objects the owner creates later in public or private grant nothing to PUBLIC or the API roles');
select ok(
  exists (select from pg_default_acl d
           where d.defaclrole = (select relowner from pg_class where oid = 'public.projects'::regclass)
             and d.defaclnamespace = 0 and d.defaclobjtype = 'f'
             and not exists (select from aclexplode(d.defaclacl) a where a.grantee = 0)),
  'functions the owner creates later are not executable by PUBLIC');

select * from finish();
rollback;
