-- migrate:up
-- A build, a version, an AI-time session and an idempotency key belong to
-- the project's owner, and the database says so: each references its
-- project by (user_id, project_id), so a row whose user_id is not its
-- project's owner is refused (23503), whoever writes it. This replaces two
-- foreign keys per row, one to the project and one to auth.users: the
-- project's own key already ties the owner to auth.users, so a create locks
-- the owner's auth.users row once for the project (and for its events)
-- instead of once per row, and one busy owner's concurrent creates share
-- fewer row locks. It is also the shape a distribution by owner needs
-- (docs/scaling.md): every key between these tables carries the owner.
-- Deleting a user still removes everything (projects cascade, children
-- cascade from them); changing a project's owner carries these rows along
-- (events keep the user they were written for: an event may have no project,
-- so it keeps its own key to auth.users).

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

alter table public.projects add constraint projects_user_id_id_key unique using index projects_user_id_id_key;

-- Added NOT VALID: no scan under the lock, and every new or changed row is
-- checked from here on; the rows already there are checked by the next
-- migration (VALIDATE, which lets reads and writes go on).
alter table public.project_build_metrics
  add constraint project_build_metrics_project_owner_fk foreign key (user_id, project_id)
    references public.projects (user_id, id) on update cascade on delete cascade not valid;
alter table public.project_versions
  add constraint project_versions_project_owner_fk foreign key (user_id, project_id)
    references public.projects (user_id, id) on update cascade on delete cascade not valid;
alter table public.ai_time_sessions
  add constraint ai_time_sessions_project_owner_fk foreign key (user_id, project_id)
    references public.projects (user_id, id) on update cascade on delete cascade not valid;
alter table public.idempotency_keys
  add constraint idempotency_keys_project_owner_fk foreign key (user_id, project_id)
    references public.projects (user_id, id) on update cascade on delete cascade not valid;

alter table public.project_build_metrics
  drop constraint project_build_metrics_project_id_fkey,
  drop constraint project_build_metrics_user_id_fkey;
alter table public.project_versions
  drop constraint project_versions_project_id_fkey,
  drop constraint project_versions_user_id_fkey;
alter table public.ai_time_sessions
  drop constraint ai_time_sessions_project_id_fkey,
  drop constraint ai_time_sessions_user_id_fkey;
alter table public.idempotency_keys
  drop constraint idempotency_keys_project_id_fkey,
  drop constraint idempotency_keys_user_id_fkey;

-- migrate:down
alter table public.project_build_metrics
  add constraint project_build_metrics_project_id_fkey foreign key (project_id) references public.projects (id) on delete cascade,
  add constraint project_build_metrics_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade;
alter table public.project_versions
  add constraint project_versions_project_id_fkey foreign key (project_id) references public.projects (id) on delete cascade,
  add constraint project_versions_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade;
alter table public.ai_time_sessions
  add constraint ai_time_sessions_project_id_fkey foreign key (project_id) references public.projects (id) on delete cascade,
  add constraint ai_time_sessions_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade;
alter table public.idempotency_keys
  add constraint idempotency_keys_project_id_fkey foreign key (project_id) references public.projects (id) on delete cascade,
  add constraint idempotency_keys_user_id_fkey foreign key (user_id) references auth.users (id) on delete cascade;
alter table public.project_build_metrics drop constraint project_build_metrics_project_owner_fk;
alter table public.project_versions drop constraint project_versions_project_owner_fk;
alter table public.ai_time_sessions drop constraint ai_time_sessions_project_owner_fk;
alter table public.idempotency_keys drop constraint idempotency_keys_project_owner_fk;
alter table public.projects drop constraint projects_user_id_id_key;
