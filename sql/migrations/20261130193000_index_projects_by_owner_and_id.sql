-- migrate:up transaction:false
-- The key that children reference to follow their project's owner (the next
-- migration makes it a unique constraint): built concurrently, as projects
-- already holds rows, so writes go on while it builds. The statement is alone
-- in its file: several statements would run as one implicit transaction, in
-- which CREATE INDEX CONCURRENTLY cannot run; so no `set lock_timeout` or
-- `statement_timeout` here (the role's settings apply, and the build may take
-- as long as projects is large). Without `if not exists`: a failed build
-- leaves an INVALID index, which `npm run db:migrate` then names instead of
-- recording this migration as applied.
-- squawk-ignore prefer-robust-stmts, require-lock-timeout, require-statement-timeout
create unique index concurrently projects_user_id_id_key on public.projects (user_id, id);

-- migrate:down
drop index if exists public.projects_user_id_id_key;
