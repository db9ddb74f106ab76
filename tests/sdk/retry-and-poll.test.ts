/**
 * withRetry retries transient failures only, always with one idempotency key,
 * so a retried creation converges on one project; pollBuildStatus waits for
 * a final status with backoff, tolerates "not yet", and honours abort and timeout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NotFoundError,
  PollTimeoutError,
  RetryableError,
  ValidationError,
  createPostgresClient,
  fromPostgres,
  withRetry,
  type ProjectsApi,
} from '../../src/index.ts';
import { connect, createUser, databaseUrl, type Sql, first } from '../helpers/db.ts';

let owner: Sql;
let sql: Sql;
let service: ProjectsApi;

beforeAll(() => {
  owner = connect(3);
  sql = createPostgresClient(databaseUrl(), { max: 3 });
  service = fromPostgres(sql, { actAs: 'service_role', logger: null });
});
afterAll(async () => {
  await sql.end();
  await owner.end();
});

describe('withRetry', () => {
  it('retries a lock timeout with the same key and creates exactly one project', async () => {
    const user = await createUser(owner);
    const impatient = createPostgresClient(databaseUrl(), {
      max: 2,
      options: { connection: { 'projects.lock_timeout': '100ms' } as Record<string, string> },
    });
    const api = fromPostgres(impatient, { actAs: { userId: user }, logger: null });
    const keys: string[] = [];
    let retries = 0;
    try {
      // Another request holds the user's lock until two attempts have timed out.
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = owner.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended('projects.owner:' || ${user}, 0))`;
        locked();
        await released;
      });
      await isLocked;
      const result = await withRetry(
        (key) => {
          keys.push(key);
          return api.createCompleteProject({ name: 'Retried', idempotencyKey: key });
        },
        {
          attempts: 10,
          baseDelayMs: 20,
          maxDelayMs: 50,
          onRetry: () => {
            if (++retries === 2) release();
          },
        },
      );
      await holder;
      expect(result.created).toBe(true);
      expect(retries).toBeGreaterThanOrEqual(2);
      expect(new Set(keys).size).toBe(1);
      const { count } = first(await owner`select count(*)::int as count from public.projects where user_id = ${user}`);
      expect(count).toBe(1);
    } finally {
      await impatient.end();
    }
  });

  it('does not retry errors that cannot succeed by retrying', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ValidationError({ message: 'bad', code: 'invalid_input', sqlstate: '22023', httpStatus: 400 });
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(calls).toBe(1);
  });

  it('gives up after the configured attempts with the last RetryableError', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new RetryableError({ message: 'busy', code: 'lock_timeout', sqlstate: '55P03', httpStatus: 503 });
        },
        { attempts: 3, baseDelayMs: 1 },
      ),
    ).rejects.toBeInstanceOf(RetryableError);
    expect(calls).toBe(3);
  });
});

describe('pollBuildStatus', () => {
  it('resolves with the final status once the worker completes the build', async () => {
    const user = await createUser(owner);
    const api = fromPostgres(sql, { actAs: { userId: user }, logger: null });
    const p = await api.createProjectForBuild({ name: 'Polled' });
    const seen: string[] = [];
    let completion: Promise<unknown> | undefined;
    // The worker reports once the poller has seen the build in flight.
    const onStatus = (s: { status: string }) => {
      seen.push(s.status);
      completion ??= service.completeBuild({ buildId: p.buildId, status: 'failed', errorMessage: 'syntax error' });
    };
    const final = await api.pollBuildStatus(p.buildId, { initialDelayMs: 20, maxDelayMs: 80, onStatus });
    await completion;
    expect(final).toMatchObject({ status: 'failed', projectStatus: 'failed', errorMessage: 'syntax error', versionId: null });
    expect(seen[0]).toBe('started');
  });

  it('treats not-found as "not yet" for the grace period, then gives up with NotFoundError', async () => {
    const started = Date.now();
    await expect(
      service.pollBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV', { initialDelayMs: 20, notFoundGraceMs: 200 }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('stops with PollTimeoutError, carrying the last status, when the build never finishes', async () => {
    const user = await createUser(owner);
    const api = fromPostgres(sql, { actAs: { userId: user }, logger: null });
    const p = await api.createProjectForBuild({ name: 'Never done' });
    const err = await api.pollBuildStatus(p.buildId, { initialDelayMs: 20, timeoutMs: 150 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PollTimeoutError);
    expect((err as PollTimeoutError).lastStatus?.status).toBe('started');
  });

  it('stops when its AbortSignal fires', async () => {
    const user = await createUser(owner);
    const api = fromPostgres(sql, { actAs: { userId: user }, logger: null });
    const p = await api.createProjectForBuild({ name: 'Aborted' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user left the page')), 100);
    await expect(api.pollBuildStatus(p.buildId, { initialDelayMs: 20, signal: controller.signal })).rejects.toThrow('user left the page');
  });
});
