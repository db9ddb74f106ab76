-- check_invariants: empty when all is well, and one row per broken rule
-- when a row is forced past the functions (here by the owner, with triggers
-- and foreign keys off, as a bad manual fix would).
begin;
select plan(8);
-- Fixtures: two users, identities set the way PostgREST sets them, and a
-- scratch table for ids (readable by every role).
insert into auth.users (id, email) values
  ('a0000000-0000-4000-8000-00000000000a', 'alice@example.test'),
  ('b0000000-0000-4000-8000-00000000000b', 'bob@example.test');
create function pg_temp.as_user(p_id uuid) returns void language sql as $$
  select set_config('role', 'authenticated', true),
         set_config('request.jwt.claims', json_build_object('sub', p_id, 'role', 'authenticated')::text, true) $$;
create function pg_temp.as_service() returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', '{"role":"service_role"}', true) $$;
create function pg_temp.as_anon() returns void language sql as $$
  select set_config('role', 'anon', true), set_config('request.jwt.claims', '{"role":"anon"}', true) $$;
create temp table ids (k text primary key, v text);
grant all on ids to public;
create function pg_temp.id(p_k text) returns text language sql stable as $$ select v from ids where k = p_k $$;
grant execute on all functions in schema pg_temp to public;

select pg_temp.as_service();
insert into ids select 'p', project_id::text from public.create_project_for_build(p_user_id => 'a0000000-0000-4000-8000-00000000000a', p_name => 'Good');
insert into ids select 'q', project_id::text from public.create_project_for_build(p_user_id => 'b0000000-0000-4000-8000-00000000000b', p_name => 'Other');
insert into ids select 'b', current_build_id from public.projects where id = pg_temp.id('p')::uuid;
insert into ids select 'c', current_build_id from public.projects where id = pg_temp.id('q')::uuid;
reset role;
select is_empty($$ select * from public.check_invariants() $$, 'a healthy database has no violations');

set local session_replication_role = replica;  -- skip FK triggers, as a careless manual fix would

update public.ai_time_sessions set ended_at = null, seconds = null where build_id = pg_temp.id('b');
update public.project_build_metrics set status = 'completed', outcome = 'completed', completed_at = started_at, duration_ms = 0
 where build_id = pg_temp.id('b');
select ok(exists (select from public.check_invariants() where invariant = 'a completed build has its version' and build_id = pg_temp.id('b')),
  'a completed build without a version is reported');
select ok(exists (select from public.check_invariants() where invariant like 'no AI-time session open for a finished%' and build_id = pg_temp.id('b')),
  'an AI-time session left open for a finished build is reported');
select ok(exists (select from public.check_invariants() where invariant = 'the project status follows its current build' and project_id = pg_temp.id('p')::uuid),
  'a project still building after its build completed is reported');

update public.projects set current_build_id = pg_temp.id('c') where id = pg_temp.id('p')::uuid;
select ok(exists (select from public.check_invariants() where invariant = 'current build belongs to the project' and project_id = pg_temp.id('p')::uuid),
  'a current build of another project is reported');

insert into public.project_versions (version_id, project_id, user_id, build_id, status, framework)
  select generate_ulid(), pg_temp.id('q')::uuid, 'b0000000-0000-4000-8000-00000000000b', pg_temp.id('c'), 'deployed', 'react';
update public.project_build_metrics set status = 'failed', outcome = 'failed', completed_at = started_at, duration_ms = 0 where build_id = pg_temp.id('c');
select ok(exists (select from public.check_invariants() where invariant = 'no version for a failed, canceled or superseded build' and build_id = pg_temp.id('c')),
  'a version of a failed build is reported');

delete from public.ai_time_sessions where build_id = pg_temp.id('c');
select ok(exists (select from public.check_invariants() where invariant = 'every build has one AI-time session' and build_id = pg_temp.id('c')),
  'a build without an AI-time session is reported');
set local session_replication_role = origin;

select is((select count(distinct invariant)::int from public.check_invariants()), 6, 'each broken rule is reported under its own name');

select * from finish();
rollback;
