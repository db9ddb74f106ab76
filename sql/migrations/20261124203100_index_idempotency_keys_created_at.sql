-- migrate:up transaction:false
-- prune_idempotency_records finds old keys by created_at. Built concurrently,
-- so idempotency_keys takes writes while it builds (the only statement of its
-- migration, as a concurrent build must be).

-- squawk-ignore require-lock-timeout, require-statement-timeout
create index concurrently if not exists idempotency_keys_created_at_idx
  on public.idempotency_keys (created_at);

-- migrate:down transaction:false
drop index concurrently if exists public.idempotency_keys_created_at_idx;
