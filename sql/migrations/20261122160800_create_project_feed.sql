-- migrate:up
-- The project feed: the events of one project, or of all the caller's projects, after a cursor,
-- each with what a timeline shows (the build's prompt, status, version, error, timings). Ordered by
-- the writing transaction, and handed out only once every older transaction has ended, so a
-- cursor never skips an event that commits after a later one was read.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function public.get_project_feed(
  p_project_id uuid default null,
  p_after text default null,
  p_limit integer default 100
) returns table (
  cursor text,
  event_id bigint,
  event_type text,
  occurred_at timestamptz,
  project_id uuid,
  project_name text,
  framework text,
  project_status text,
  build_id text,
  build_status text,
  is_current_build boolean,
  prompt text,
  version_id text,
  error_message text,
  reference_id text,
  started_at timestamptz,
  completed_at timestamptz,
  duration_ms bigint
)
language plpgsql stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_txid xid8;
  v_id bigint;
  -- Every transaction older than this one has ended: events below it can no longer appear behind a cursor.
  v_horizon xid8 := pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot());
begin
  if p_limit is null or p_limit not between 1 and 1000 then
    raise exception 'p_limit must be between 1 and 1000'
      using errcode = '22023', detail = format('p_limit = %s', coalesce(p_limit::text, 'null'));
  end if;
  if p_after is not null then
    if p_after !~ '^[0-9]{1,19}:[0-9]{1,19}$' then
      raise exception 'p_after must be a cursor returned by get_project_feed'
        using errcode = '22023', detail = format('p_after = %L', left(p_after, 40)),
              hint = 'Pass the cursor column of the last event read, or null to start from the beginning.';
    end if;
    v_txid := split_part(p_after, ':', 1)::xid8;
    v_id := split_part(p_after, ':', 2)::bigint;
  end if;
  -- Security invoker: row-level security limits every table read here to the caller's rows.
  return query
    select e.txid::text || ':' || e.id::text,
           e.id,
           e.event_type,
           e.created_at,
           e.project_id,
           p.name,
           p.framework,
           p.build_status,
           e.build_id::text,
           m.status,
           coalesce(p.current_build_id = e.build_id, false),
           m.prompt,
           coalesce(e.version_id, v.version_id)::text,
           m.error_message,
           coalesce(e.request_id, e.build_id::text),
           m.started_at,
           m.completed_at,
           m.duration_ms
      from public.project_events e
      join public.projects p on p.id = e.project_id
      left join public.project_build_metrics m on m.build_id = e.build_id
      left join public.project_versions v on v.build_id = e.build_id
     where e.project_id is not null
       and (p_project_id is null or e.project_id = p_project_id)
       and e.txid < v_horizon
       and (p_after is null or (e.txid, e.id) > (v_txid, v_id))
     order by e.txid, e.id
     limit p_limit;
end
$$;
comment on function public.get_project_feed(uuid, text, integer) is
$$The events of project p_project_id (null: of every project the caller reads) after the cursor
p_after, in feed order, at most p_limit (1 to 1000, default 100). Each row carries its build's
prompt, status, version, error and timings for a timeline, and a cursor to pass as p_after next.
Never skips an event: an event appears once every transaction older than the oldest one still
running has ended (a long transaction delays the feed, it never loses an event).
reference_id is the request id the event was written under, else its build id.
Errors: 22023 bad p_after or p_limit. Row-level security applies: a user reads only their
projects (another user's project reads as empty). Callers: authenticated, service_role.$$;
revoke execute on function public.get_project_feed(uuid, text, integer) from public, anon;
grant execute on function public.get_project_feed(uuid, text, integer) to authenticated, service_role;

-- migrate:down
drop function public.get_project_feed(uuid, text, integer);
