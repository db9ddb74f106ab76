-- migrate:up
-- Idempotency keys grew without bound. A key only has to
-- outlive the retries of its request (the IETF draft suggests at least 24 h);
-- this function removes older ones, in batches, for a DBA or pg_cron to run
-- (it finds old keys through idempotency_keys_created_at_idx).

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function public.prune_idempotency_records(
  p_older_than interval default interval '7 days',
  p_batch_size integer default 10000
) returns table (keys_deleted bigint)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_before timestamptz;
  v_keys bigint;
begin
  if p_older_than is null or p_older_than < interval '1 hour' then
    raise exception 'p_older_than must be at least 1 hour: a key must outlive the retries of its request'
      using errcode = '22023', detail = format('p_older_than = %s', p_older_than);
  end if;
  if p_batch_size is null or p_batch_size not between 1 and 1000000 then
    raise exception 'p_batch_size must be between 1 and 1000000' using errcode = '22023';
  end if;
  v_before := now() - p_older_than;
  with doomed as (
    select k.user_id, k.idempotency_key from public.idempotency_keys k
     where k.created_at < v_before order by k.created_at limit p_batch_size
  ), d as (
    delete from public.idempotency_keys k using doomed
     where k.user_id = doomed.user_id and k.idempotency_key = doomed.idempotency_key
    returning 1
  )
  select count(*) into v_keys from d;
  return query select v_keys;
end
$$;

comment on function public.prune_idempotency_records(interval, integer) is
$$Deletes idempotency keys older than p_older_than (default 7 days, at least 1 hour), at most
p_batch_size per call (default 10000); returns how many were deleted.
A replay of a pruned key creates anew, so keep p_older_than above your clients' retry horizon.
Run it periodically, e.g. with pg_cron:
  select cron.schedule('prune-idempotency', '17 * * * *', 'select public.prune_idempotency_records()');
Errors: 22023 bad window or batch size. Callers: service_role, DBAs.$$;
revoke execute on function public.prune_idempotency_records(interval, integer) from public, anon, authenticated;
grant execute on function public.prune_idempotency_records(interval, integer) to service_role;

-- migrate:down
drop function public.prune_idempotency_records(interval, integer);
