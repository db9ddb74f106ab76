-- check_invariants: empty when all is well, and one row per broken rule
-- when a row is forced past the functions (here by the owner, with triggers
-- and foreign keys off, as a bad manual fix would).
begin;
select plan(8);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- as service_role: a project each for alice and bob
select tests.authenticate_as_service_role();
insert into ids select 'p', project_id::text from public.create_project_for_build(p_user_id => tests.get_supabase_uid('alice'), p_name => 'Good');
insert into ids select 'q', project_id::text from public.create_project_for_build(p_user_id => tests.get_supabase_uid('bob'), p_name => 'Other');
insert into ids select 'b', current_build_id from public.projects where id = tests.id('p')::uuid;
insert into ids select 'c', current_build_id from public.projects where id = tests.id('q')::uuid;
select tests.clear_authentication();
select is_empty($$ select * from public.check_invariants() $$, 'a healthy database has no violations');

-- as the database owner, breaking one rule after another
set local session_replication_role = replica;  -- skip FK triggers, as a careless manual fix would

update public.ai_time_sessions set ended_at = null, seconds = null where build_id = tests.id('b');
update public.project_build_metrics set status = 'completed', outcome = 'completed', completed_at = started_at, duration_ms = 0
 where build_id = tests.id('b');
select ok(exists (select from public.check_invariants() where invariant = 'a completed build has its version' and build_id = tests.id('b')),
  'a completed build without a version is reported');
select ok(exists (select from public.check_invariants() where invariant like 'no AI-time session open for a finished%' and build_id = tests.id('b')),
  'an AI-time session left open for a finished build is reported');
select ok(exists (select from public.check_invariants() where invariant = 'the project status follows its current build' and project_id = tests.id('p')::uuid),
  'a project still building after its build completed is reported');

update public.projects set current_build_id = tests.id('c') where id = tests.id('p')::uuid;
select ok(exists (select from public.check_invariants() where invariant = 'current build belongs to the project' and project_id = tests.id('p')::uuid),
  'a current build of another project is reported');

insert into public.project_versions (version_id, project_id, user_id, build_id, status, framework)
  select generate_ulid(), tests.id('q')::uuid, tests.get_supabase_uid('bob'), tests.id('c'), 'deployed', 'react';
update public.project_build_metrics set status = 'failed', outcome = 'failed', completed_at = started_at, duration_ms = 0 where build_id = tests.id('c');
select ok(exists (select from public.check_invariants() where invariant = 'no version for a failed, canceled or superseded build' and build_id = tests.id('c')),
  'a version of a failed build is reported');

delete from public.ai_time_sessions where build_id = tests.id('c');
select ok(exists (select from public.check_invariants() where invariant = 'every build has one AI-time session' and build_id = tests.id('c')),
  'a build without an AI-time session is reported');
set local session_replication_role = origin;

select is((select count(distinct invariant)::int from public.check_invariants()), 6, 'each broken rule is reported under its own name');

select * from finish();
rollback;
