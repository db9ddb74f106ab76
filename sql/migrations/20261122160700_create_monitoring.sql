-- migrate:up
-- What operators watch for, as queries a service or a DBA can run:
-- creation and build counts over a window, and an invariants check that
-- returns the rows breaking a guarantee (none, when all is well).
-- Also publishes project_events to Supabase Realtime where it exists.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function public.get_project_metrics(p_window interval default interval '1 hour')
returns table (window_start timestamptz, projects_created bigint, builds_started bigint,
               builds_completed bigint, builds_failed bigint, builds_canceled bigint,
               builds_superseded bigint, success_rate numeric, in_flight_builds bigint,
               avg_build_duration_ms numeric, idempotent_replays bigint)
language plpgsql stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_since timestamptz;
begin
  if p_window is null or p_window <= interval '0' or p_window > interval '366 days' then
    raise exception 'p_window must be a positive interval of at most 366 days' using errcode = '22023';
  end if;
  v_since := now() - p_window;
  return query
    with b as (
      select m.status, m.outcome, m.duration_ms from public.project_build_metrics m where m.started_at >= v_since
    )
    select v_since,
           (select count(*) from public.projects p where p.created_at >= v_since),
           (select count(*) from b),
           (select count(*) from b where b.status = 'completed'),
           (select count(*) from b where b.status = 'failed'),
           (select count(*) from b where b.status = 'canceled'),
           (select count(*) from b where b.status = 'superseded'),
           (select round(count(*) filter (where b.status = 'completed')::numeric
                         / nullif(count(*) filter (where b.status in ('completed', 'failed', 'canceled')), 0), 4) from b),
           (select count(*) from public.project_build_metrics m where m.status = 'started'),
           (select round(avg(b.duration_ms), 1) from b where b.status in ('completed', 'failed', 'canceled')),
           (select case when r.is_called then r.last_value else 0 end from private.idempotent_replays r);
end
$$;
comment on function public.get_project_metrics(interval) is
$$Creation and build counts over the last p_window (default 1 hour): projects created, builds
started/completed/failed/canceled/superseded, success rate (completed over finished), builds in
flight now, average duration of finished builds, and idempotent replays (including duplicates
absorbed by the duplicate window): replays write nothing, so they are a counter since the
database last recovered from a crash, not a count over p_window; take differences to rate them.
Errors: 22023 bad window. Callers: service_role.$$;
revoke execute on function public.get_project_metrics(interval) from public, anon, authenticated;
grant execute on function public.get_project_metrics(interval) to service_role;

create function public.check_invariants()
returns table (invariant text, project_id uuid, build_id text, detail text)
language sql stable
security definer
set search_path = pg_catalog, pg_temp
as $$
  select 'current build belongs to the project', p.id, p.current_build_id::text, 'current_build_id has no build of this project'
    from public.projects p
   where p.current_build_id is not null
     and not exists (select from public.project_build_metrics m where m.build_id = p.current_build_id and m.project_id = p.id)
  union all
  select 'a project with builds has a current build', p.id, null, 'current_build_id is null'
    from public.projects p
   where p.current_build_id is null and exists (select from public.project_build_metrics m where m.project_id = p.id)
  union all
  select 'no version for a failed, canceled or superseded build', v.project_id, v.build_id::text, 'build status ' || m.status
    from public.project_versions v join public.project_build_metrics m on m.build_id = v.build_id
   where m.status in ('failed', 'canceled', 'superseded')
  union all
  select 'a provisional version only while its build runs', v.project_id, v.build_id::text, 'build status ' || m.status
    from public.project_versions v join public.project_build_metrics m on m.build_id = v.build_id
   where v.status = 'building' and m.status <> 'started'
  union all
  select 'a completed build has its version', m.project_id, m.build_id::text, 'no deployed version'
    from public.project_build_metrics m
   where m.status = 'completed'
     and not exists (select from public.project_versions v where v.build_id = m.build_id and v.status = 'deployed')
  union all
  select 'build timing is logical', p.id, p.current_build_id::text, 'last_build_completed before last_build_started'
    from public.projects p
   where p.last_build_completed < p.last_build_started
      or (p.last_build_completed is not null and p.last_build_started is null)
  union all
  select 'the project status follows its current build', p.id, m.build_id::text,
         format('project %s, build %s', p.build_status, m.status)
    from public.projects p join public.project_build_metrics m on m.build_id = p.current_build_id
   where (m.status = 'started') <> (p.build_status = 'building')
      or (m.status = 'completed' and (p.build_status <> 'deployed' or p.current_version_id is distinct from
           (select v.version_id from public.project_versions v where v.build_id = m.build_id)))
      or (m.status in ('failed', 'canceled') and p.build_status <> m.status)
  union all
  select 'no AI-time session open for a finished or superseded build', a.project_id, a.build_id::text, 'ended_at is null'
    from public.ai_time_sessions a join public.project_build_metrics m on m.build_id = a.build_id
   where a.ended_at is null and (m.completed_at is not null or m.status = 'superseded')
  union all
  select 'every build has one AI-time session', m.project_id, m.build_id::text, 'no session'
    from public.project_build_metrics m
   where not exists (select from public.ai_time_sessions a where a.build_id = m.build_id)
  union all
  select 'at most one in-flight build per project', m.project_id, null, count(*) || ' builds started'
    from public.project_build_metrics m where m.status = 'started'
   group by m.project_id having count(*) > 1
$$;
comment on function public.check_invariants() is
$$Returns one row per broken guarantee (no rows when all is well): current build exists and belongs
to its project; no version for a failed, canceled or superseded build; completed builds have their
version; timing constraints; project status follows its current build; no AI-time session left
open for a finished build; at most one build in flight per project. Callers: service_role, DBAs.$$;
revoke execute on function public.check_invariants() from public, anon, authenticated;
grant execute on function public.check_invariants() to service_role;

-- Supabase Realtime: a NextJS app can subscribe to its events (RLS applies).
do $$
begin
  if exists (select from pg_publication where pubname = 'supabase_realtime') then
    alter publication supabase_realtime add table public.project_events;
  end if;
end
$$;

-- migrate:down
do $$
begin
  if exists (select from pg_publication_tables where pubname = 'supabase_realtime' and tablename = 'project_events') then
    alter publication supabase_realtime drop table public.project_events;
  end if;
end
$$;
drop function public.check_invariants();
drop function public.get_project_metrics(interval);
