/**
 * The SDK over postgres.js against the real database: every method, as two
 * users and as service_role, and every error class.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  PermissionError,
  RetryableError,
  ValidationError,
  createPostgresClient,
  fromPostgres,
  type ProjectsApi,
} from '../../src/index.ts';
import { connect, createUser, databaseUrl, type Sql, first, rejection } from '../helpers/db.ts';

let sql: Sql;
let owner: Sql;
let alice: ProjectsApi;
let bob: ProjectsApi;
let service: ProjectsApi;
let aliceId: string;
let bobId: string;

beforeAll(async () => {
  owner = connect(2);
  sql = createPostgresClient(databaseUrl(), { max: 4, pooler: true });
  aliceId = await createUser(owner);
  bobId = await createUser(owner);
  alice = fromPostgres(sql, { actAs: { userId: aliceId }, logger: null });
  bob = fromPostgres(sql, { actAs: { userId: bobId }, logger: null });
  service = fromPostgres(sql, { actAs: 'service_role', logger: null });
});
afterAll(async () => {
  await sql.end();
  await owner.end();
});


describe('creating projects', () => {
  it('creates a complete project for the signed-in user, with server-generated ids', async () => {
    const r = await alice.createCompleteProject({ name: '  Landing page ', framework: 'nextjs', prompt: 'a landing page' });
    expect(r.created).toBe(true);
    expect(r.projectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.buildId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(r.versionId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(typeof r.buildMetricsId).toBe('number');
    const [p] = await owner`select user_id, name, framework, build_status from public.projects where id = ${r.projectId}`;
    expect(p).toEqual({ user_id: aliceId, name: 'Landing page', framework: 'nextjs', build_status: 'building' });
  });

  it('replays a call with the same idempotency key and refuses the key with other parameters', async () => {
    const key = randomUUID();
    const first = await alice.createProjectForBuild({ name: 'Replay', idempotencyKey: key });
    const again = await alice.createProjectForBuild({ name: 'Replay', idempotencyKey: key });
    expect(again).toEqual({ ...first, created: false });
    const err = await rejection(alice.createProjectForBuild({ name: 'Something else', idempotencyKey: key }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'idempotency_key_reused', sqlstate: 'PT422', httpStatus: 422 });
  });

  it('lets service_role act for a user and record its source', async () => {
    const r = await service.createProjectForBuild({ userId: bobId, name: 'From the worker', source: 'worker-service' });
    const [p] = await owner`select user_id, created_by_service from public.projects where id = ${r.projectId}`;
    expect(p).toEqual({ user_id: bobId, created_by_service: 'worker-service' });
  });

  it('refuses a user acting for another user (PermissionError, 42501)', async () => {
    const err = await rejection(alice.createCompleteProject({ userId: bobId, name: 'Not mine' }));
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toMatchObject({ code: 'permission_denied', sqlstate: '42501', httpStatus: 403 });
  });

  it('refuses an unknown user for service_role (23503)', async () => {
    const err = await rejection(service.createCompleteProject({ userId: randomUUID(), name: 'Ghost' }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ code: 'unknown_user', sqlstate: '23503' });
  });

  it('validates input before the network, naming the field', async () => {
    const err = await rejection(alice.createCompleteProject({ name: ' ', framework: 'React' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_input', httpStatus: 400 });
    expect((err as unknown as ValidationError).issues.map((i) => i.split(':')[0]).sort()).toEqual(['framework', 'name']);
    const extra = await rejection(alice.createCompleteProject({ name: 'x', colour: 'red' } as never));
    expect(extra).toBeInstanceOf(ValidationError);
  });

  it('maps the database\'s own validation (an unknown framework) to ValidationError with its SQLSTATE', async () => {
    const err = await rejection(alice.createCompleteProject({ name: 'x', framework: 'cobol' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ sqlstate: '22023', code: 'invalid_input' });
  });
});

describe('builds', () => {
  it('starts, completes and reports a build; the version appears on success', async () => {
    const p = await alice.createProjectForBuild({ name: 'Build me' });
    const started = await alice.startBuild({ projectId: p.projectId, prompt: 'add a footer' });
    expect(started).toMatchObject({ created: true, supersededBuildId: p.buildId });
    const done = await service.completeBuild({ buildId: started.buildId, status: 'completed' });
    expect(done).toMatchObject({ projectId: p.projectId, projectStatus: 'deployed' });
    expect(done.versionId).toMatch(/^[0-7]/);
    const status = await alice.getBuildStatus(started.buildId);
    expect(status).toMatchObject({ status: 'completed', projectStatus: 'deployed', isCurrent: true, versionId: done.versionId });
    expect(status.durationMs).toBeGreaterThanOrEqual(0);
    const old = await alice.getBuildStatus(p.buildId);
    expect(old).toMatchObject({ status: 'superseded', isCurrent: false, versionId: null });
  });

  it('creates a version on success once, and refuses one for a failed build', async () => {
    const p = await alice.createProjectForBuild({ name: 'Versions' });
    const v1 = await service.createVersionOnSuccess({ buildId: p.buildId });
    const v2 = await service.createVersionOnSuccess({ buildId: p.buildId });
    expect(v1.created).toBe(true);
    expect(v2).toEqual({ versionId: v1.versionId, created: false });
    const b = await service.startBuild({ projectId: p.projectId });
    await service.completeBuild({ buildId: b.buildId, status: 'failed', errorMessage: 'boom' });
    const err = await rejection(service.createVersionOnSuccess({ buildId: b.buildId }));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ sqlstate: 'PT409', httpStatus: 409 });
  });

  it('refuses another user\'s build as not found, revealing nothing', async () => {
    const p = await alice.createProjectForBuild({ name: 'Private' });
    for (const call of [bob.getBuildStatus(p.buildId), bob.startBuild({ projectId: p.projectId })]) {
      const err = await rejection(call);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err).toMatchObject({ code: 'not_found', sqlstate: 'PT404', httpStatus: 404 });
    }
  });

  it('lets only service_role complete builds', async () => {
    const p = await alice.createProjectForBuild({ name: 'Worker only' });
    const err = await rejection(alice.completeBuild({ buildId: p.buildId, status: 'completed' }));
    expect(err).toBeInstanceOf(PermissionError);
  });

  it('refuses a different final status for a finished build (PT409)', async () => {
    const p = await alice.createProjectForBuild({ name: 'Final' });
    await service.completeBuild({ buildId: p.buildId, status: 'canceled' });
    expect(await service.completeBuild({ buildId: p.buildId, status: 'cancelled' })).toMatchObject({ projectStatus: 'canceled' });
    const err = await rejection(service.completeBuild({ buildId: p.buildId, status: 'completed' }));
    expect(err).toBeInstanceOf(ConflictError);
  });
});

describe('clients', () => {
  it('gets or creates a client once per owner: the same chat id for another user is that user\'s own client', async () => {
    const id = `chat_${randomUUID().slice(0, 8)}`;
    const a = await alice.getOrCreateClient({ id, name: 'Acme', email: 'a@acme.test' });
    const again = await alice.getOrCreateClient({ id, name: 'Other name' });
    expect(a.created).toBe(true);
    expect(again).toEqual({ ...a, created: false });
    const theirs = await bob.getOrCreateClient({ id, name: 'Mine now' });
    expect(theirs).toMatchObject({ id, name: 'Mine now', email: null, created: true });
    expect(theirs.userId).not.toBe(a.userId);
    expect(await alice.getOrCreateClient({ id, name: 'x' })).toEqual({ ...a, created: false });
  });
});

describe('transient failures', () => {
  it('turns a lock wait past projects.lock_timeout into RetryableError (55P03), writing nothing', async () => {
    const impatient = createPostgresClient(databaseUrl(), {
      max: 1,
      options: { connection: { 'projects.lock_timeout': '150ms' } as Record<string, string> },
    });
    const user = await createUser(owner);
    const api = fromPostgres(impatient, { actAs: { userId: user }, logger: null });
    try {
      const err = await owner.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended('projects.owner:' || ${user}, 0))`;
        return rejection(api.createCompleteProject({ name: 'Blocked', idempotencyKey: 'k' }));
      });
      expect(err).toBeInstanceOf(RetryableError);
      expect(err).toMatchObject({ sqlstate: '55P03', code: 'lock_timeout', httpStatus: 503 });
      const { count } = first(await owner`select count(*)::int as count from public.projects where user_id = ${user}`);
      expect(count).toBe(0);
    } finally {
      await impatient.end();
    }
  });

  it('turns a refused connection into RetryableError (unavailable: the call did not run, unlike network)', async () => {
    const dead = createPostgresClient('postgresql://postgres:postgres@127.0.0.1:1/postgres', { max: 1 });
    const api = fromPostgres(dead, { actAs: 'service_role', logger: null });
    const err = await rejection(api.getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'unavailable', sqlstate: null });
    await dead.end();
  });

  it('gives every error a ULID reference id and a timestamp, and logs it', async () => {
    const lines: string[] = [];
    const api = fromPostgres(sql, { actAs: { userId: aliceId }, logger: { error: (m: string) => lines.push(m) } });
    const err = await rejection(api.getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(err.referenceId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(Date.parse(String(err.timestamp))).not.toBeNaN();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(String(err.referenceId));
  });
});
