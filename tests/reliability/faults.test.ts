/**
 * Faults: a creating session's backend is terminated mid-call, at
 * random points, again and again: no partial rows ever, and a retry with the
 * same key converges on exactly one project. Lock waits past the limit and
 * statement timeouts surface as RetryableError and write nothing.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RetryableError, createPostgresClient, fromPostgres, withRetry } from '../../src/index.ts';
import { connect, createUser, databaseUrl, type Sql, first } from '../helpers/db.ts';

let owner: Sql;

beforeAll(() => {
  owner = connect(3);
});
afterAll(() => owner.end());

/** Resolves once `pid` is observed in `state` (an SQL condition on pg_stat_activity / pg_locks), or `done` settles. */
async function observed(pid: number, waitingOnLock: boolean, done: Promise<unknown>): Promise<void> {
  let settled = false;
  void done.finally(() => (settled = true));
  while (!settled) {
    const [row] = waitingOnLock
      ? await owner`select 1 as ok from pg_locks where pid = ${pid} and locktype = 'advisory' and not granted`
      : await owner`select 1 as ok from pg_stat_activity where pid = ${pid} and state = 'active'`;
    if (row) return;
  }
}

/** Rows that would betray a partial write: a project missing a part, or parts without a project. */
async function partialRows(user: string): Promise<unknown[]> {
  return [...(await owner`
    select 'project without its build, session or events' as problem, p.id::text
      from public.projects p
     where p.user_id = ${user}
       and (not exists (select from public.project_build_metrics m where m.project_id = p.id)
         or not exists (select from public.ai_time_sessions a where a.project_id = p.id)
         or (select count(*) from public.project_events e where e.project_id = p.id) < 2
         or p.current_build_id is null)
    union all
    select 'key without its project', k.idempotency_key from public.idempotency_keys k
     where k.user_id = ${user} and not exists (select from public.projects p where p.id = k.project_id)
    union all
    select 'event without its project', e.id::text from public.project_events e
     where e.user_id = ${user} and e.project_id is not null and not exists (select from public.projects p where p.id = e.project_id)`)];
}

describe('a backend terminated mid-call', () => {
  it('30+ kills at random points leave no partial rows, and a retry with the same key converges on one project', async () => {
    const user = await createUser(owner);
    let killed = 0;
    let finished = 0;
    for (let i = 0; i < 36; i++) {
      const key = `kill-${i}`;
      const victim = postgres(databaseUrl(), { max: 1, onnotice: () => undefined });
      const api = fromPostgres(victim, { actAs: { userId: user }, logger: null });
      const { pid } = first(await victim<{ pid: number }[]>`select pg_backend_pid() as pid`);
      // Every third round the owner's lock is held, and the victim is killed while it waits for
      // it, surely inside the function; the other rounds kill it wherever it is once it is seen
      // running (or not at all, when it finished first).
      const holdLock = i % 3 === 0;
      let release = () => undefined as void;
      const released = new Promise<void>((r) => (release = r));
      let holder: Promise<unknown> = Promise.resolve();
      if (holdLock) {
        let locked!: () => void;
        const isLocked = new Promise<void>((r) => (locked = r));
        holder = owner.begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(hashtextextended('projects.owner:' || ${user}, 0))`;
          locked();
          await released;
        });
        await isLocked;
      }
      const call = api.createCompleteProject({ name: `Killed ${i}`, idempotencyKey: key }).then(
        () => 'finished' as const,
        (e: unknown) => e,
      );
      await observed(pid, holdLock, call);
      await owner`select pg_terminate_backend(${pid})`;
      const outcome = await call;
      release();
      await holder;
      if (outcome === 'finished') finished++;
      else {
        killed++;
        expect(outcome, String(outcome)).toBeInstanceOf(RetryableError);
      }
      await victim.end({ timeout: 0 }).catch(() => undefined);
      expect(await partialRows(user)).toEqual([]);

      // The client retries with the same key: exactly one project for that key.
      const retry = fromPostgres(owner, { actAs: { userId: user }, logger: null });
      const again = await withRetry((k) => retry.createCompleteProject({ name: `Killed ${i}`, idempotencyKey: k }), { idempotencyKey: key });
      const rows = await owner`select count(*)::int as n from public.projects where user_id = ${user} and name = ${`Killed ${i}`}`;
      expect(rows).toEqual([{ n: 1 }]);
      expect(again.projectId).toBeTruthy();
    }
    expect(killed).toBeGreaterThanOrEqual(12);
    expect(killed + finished).toBe(36);
    expect(await owner`select * from public.check_invariants()`).toEqual([]);
  });
});

describe('bounded waits', () => {
  it('a lock wait past projects.lock_timeout is 55P03, RetryableError, and writes nothing', async () => {
    const user = await createUser(owner);
    const impatient = createPostgresClient(databaseUrl(), { max: 1, options: { connection: { 'projects.lock_timeout': '100ms' } as Record<string, string> } });
    const api = fromPostgres(impatient, { actAs: { userId: user }, logger: null });
    try {
      const err = await owner.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended('projects.owner:' || ${user}, 0))`;
        return api.createProjectForBuild({ name: 'Waits' }).catch((e: unknown) => e);
      });
      expect(err).toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({ sqlstate: '55P03' });
      expect(await owner`select count(*)::int as n from public.projects where user_id = ${user}`).toEqual([{ n: 0 }]);
    } finally {
      await impatient.end();
    }
  });

  it('a build row lock held past projects.lock_timeout is 55P03 for complete_build too', async () => {
    const user = await createUser(owner);
    const service = fromPostgres(owner, { actAs: 'service_role', logger: null });
    const p = await service.createProjectForBuild({ userId: user, name: 'Row lock' });
    const impatient = createPostgresClient(databaseUrl(), { max: 1, options: { connection: { 'projects.lock_timeout': '100ms' } as Record<string, string> } });
    const worker = fromPostgres(impatient, { actAs: 'service_role', logger: null });
    try {
      const err = await owner.begin(async (tx) => {
        await tx`select from public.projects where id = ${p.projectId} for update`;
        return worker.completeBuild({ buildId: p.buildId, status: 'completed' }).catch((e: unknown) => e);
      });
      expect(err).toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({ sqlstate: '55P03' });
      expect(await owner`select status from public.project_build_metrics where build_id = ${p.buildId}`).toEqual([{ status: 'started' }]);
    } finally {
      await impatient.end();
    }
  });

  it('statement_timeout is 57014, RetryableError, and writes nothing', async () => {
    const user = await createUser(owner);
    const hasty = createPostgresClient(databaseUrl(), { max: 1, options: { connection: { statement_timeout: '100' } as Record<string, string> } });
    const api = fromPostgres(hasty, { actAs: { userId: user }, logger: null });
    try {
      const err = await owner.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended('projects.owner:' || ${user}, 0))`;
        return api.createCompleteProject({ name: 'Timed out', idempotencyKey: randomUUID() }).catch((e: unknown) => e);
      });
      expect(err).toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({ sqlstate: '57014', code: 'statement_timeout' });
      expect(await owner`select count(*)::int as n from public.projects where user_id = ${user}`).toEqual([{ n: 0 }]);
    } finally {
      await hasty.end();
    }
  });
});
