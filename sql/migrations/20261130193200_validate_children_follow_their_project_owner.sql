-- migrate:up
-- Checks the rows written before the owner foreign keys of the previous
-- migration existed: VALIDATE takes a SHARE UPDATE EXCLUSIVE lock, so reads
-- and writes go on while it scans. A row that fails names its constraint (23503).

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = 0;

alter table public.project_build_metrics validate constraint project_build_metrics_project_owner_fk;
alter table public.project_versions validate constraint project_versions_project_owner_fk;
alter table public.ai_time_sessions validate constraint ai_time_sessions_project_owner_fk;
alter table public.idempotency_keys validate constraint idempotency_keys_project_owner_fk;

-- migrate:down
-- Validation cannot be undone: the constraints stay validated until the previous migration's down drops them.
