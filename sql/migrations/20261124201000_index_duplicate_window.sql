-- migrate:up transaction:false
-- The duplicate-window lookup of create_complete_project (same owner, name and
-- framework within projects.duplicate_window) scanned every recent project of
-- the owner: 0.28 ms per call at a few hundred projects (npm run bench). This
-- index makes it one probe. Built concurrently, so projects takes writes while
-- it builds; a concurrent build must be the only statement of its migration
-- (no SET before it), and it waits for running transactions instead of blocking them.

-- squawk-ignore require-lock-timeout, require-statement-timeout
create index concurrently if not exists projects_duplicate_window_idx
  on public.projects (owner_id, name, framework, created_at desc);

-- migrate:down transaction:false
drop index concurrently if exists public.projects_duplicate_window_idx;
