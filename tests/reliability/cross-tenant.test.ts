/**
 * Cross-tenant: user B tries to read, start, complete, poll or
 * replay user A's projects, builds, clients and idempotency keys through every
 * function and every edge function: refused or empty, and nothing of A's is
 * revealed in any answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { NotFoundError, PermissionError, fromPostgres, type ProjectsApi } from '../../src/index.ts';
import { actAs, asUser, anon, connect, createUser, sqlstateOf, type Sql } from '../helpers/db.ts';
import { KEYS, sessionFor, startEdgeRuntime, type EdgeRuntime } from '../helpers/edge.ts';

const SECRET_NAME = 'Alice secret launch plan';
const SECRET_EMAIL = 'ceo@alice-secret.test';

let sql: Sql;
let edge: EdgeRuntime;
let alice: string;
let bob: string;
let bobApi: ProjectsApi;
let a: { projectId: string; buildId: string; versionId: string | null };
const run = randomUUID().slice(0, 8);
const key = `alice-key-1-${run}`;
const clientId = `alice-chat-${run}`;

beforeAll(async () => {
  sql = connect(3);
  edge = await startEdgeRuntime();
  alice = await createUser(sql);
  bob = await createUser(sql);
  const aliceApi = fromPostgres(sql, { actAs: { userId: alice }, logger: null });
  bobApi = fromPostgres(sql, { actAs: { userId: bob }, logger: null });
  a = await aliceApi.createCompleteProject({ name: SECRET_NAME, prompt: 'top secret', idempotencyKey: key });
  await aliceApi.getOrCreateClient({ id: clientId, name: 'Alice Client', email: SECRET_EMAIL });
  await aliceApi.createProjectForBuild({ name: 'Second', idempotencyKey: 'alice-key-2' });
}, 90_000);
afterAll(async () => {
  await edge?.stop();
  await sql?.end();
});

const leaks = (text: string) => [SECRET_NAME, SECRET_EMAIL, 'top secret', alice].filter((s) => text.includes(s));

describe('reading', () => {
  it.each(['projects', 'project_build_metrics', 'project_versions', 'ai_time_sessions', 'project_events', 'clients'])(
    'B reads none of A\'s rows in %s', async (table) => {
      const rows = await actAs(sql, asUser(bob), (tx) => tx.unsafe(`select * from public.${table}`));
      expect(rows).toEqual([]);
    },
  );
  it('B cannot read idempotency keys at all, and anon reads nothing', async () => {
    expect(await sqlstateOf(actAs(sql, asUser(bob), (tx) => tx`select * from public.idempotency_keys`))).toBe('42501');
    expect(await sqlstateOf(actAs(sql, anon, (tx) => tx`select * from public.projects`))).toBe('42501');
  });
});

describe('through the SDK (and so the SQL functions)', () => {
  it('B polling A\'s build is NotFoundError, like an unknown build', async () => {
    const err = await bobApi.getBuildStatus(a.buildId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(leaks(JSON.stringify(err) + (err as Error).message)).toEqual([]);
  });
  it('B starting a build of A\'s project is NotFoundError', async () => {
    const err = await bobApi.startBuild({ projectId: a.projectId }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
  });
  it('B cannot complete or version A\'s build (PermissionError: only the worker can)', async () => {
    expect(await bobApi.completeBuild({ buildId: a.buildId, status: 'failed' }).catch((e: unknown) => e)).toBeInstanceOf(PermissionError);
    expect(await bobApi.createVersionOnSuccess({ buildId: a.buildId }).catch((e: unknown) => e)).toBeInstanceOf(PermissionError);
  });
  it('B creating for A is PermissionError', async () => {
    expect(await bobApi.createCompleteProject({ userId: alice, name: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(PermissionError);
  });
  it('B replaying A\'s idempotency key gets B\'s own new project, never A\'s', async () => {
    const r = await bobApi.createCompleteProject({ name: SECRET_NAME, prompt: 'top secret', idempotencyKey: key });
    expect(r.created).toBe(true);
    expect(r.projectId).not.toBe(a.projectId);
    expect(r.buildId).not.toBe(a.buildId);
  });
  it('B using A\'s chat id gets B\'s own new client: ids are per owner, so nothing is squatted or revealed', async () => {
    const mine = await bobApi.getOrCreateClient({ id: clientId, name: 'Bob' });
    expect(mine).toMatchObject({ id: clientId, userId: bob, name: 'Bob', email: null, created: true });
    expect(leaks(JSON.stringify(mine))).toEqual([]);
  });
  it('A\'s project is untouched', async () => {
    const [row] = await sql`select build_status, current_build_id from public.projects where id = ${a.projectId}`;
    expect(row).toEqual({ build_status: 'building', current_build_id: a.buildId });
  });
});

describe('through the edge functions', () => {
  const bobToken = () => sessionFor(bob);
  const call = async (name: string, init: RequestInit & { query?: string }, token: string) => {
    const res = await fetch(`${edge.url}/functions/v1/${name}${init.query ?? ''}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
    });
    return { status: res.status, text: await res.text() };
  };
  it.each([
    ['build-status', { method: 'GET', query: '' }, 404],
    ['project-feed', { method: 'GET', query: '' }, 200],
    ['start-build', { method: 'POST' }, 404],
    ['complete-build', { method: 'POST' }, 403],
    ['get-or-create-client', { method: 'POST' }, 200],
  ] as const)('B calling %s on A\'s data is %i, revealing nothing', async (name, init, status) => {
    const body =
      name === 'start-build' ? { projectId: a.projectId }
      : name === 'complete-build' ? { buildId: a.buildId, status: 'failed' }
      : name === 'get-or-create-client' ? { id: clientId, name: 'Bob' }
      : undefined;
    const query = name === 'build-status' ? `?buildId=${a.buildId}` : name === 'project-feed' ? `?projectId=${a.projectId}` : '';
    const r = await call(name, { ...init, query, body: body && JSON.stringify(body) }, bobToken());
    expect(r.status).toBe(status);
    expect(leaks(r.text)).toEqual([]);
  });
  it('B replaying A\'s key through create-project gets a new project of B\'s (201)', async () => {
    const r = await call('create-project', { method: 'POST', body: JSON.stringify({ name: 'Another', prompt: 'top secret' }), headers: { 'idempotency-key': 'alice-key-2' } }, bobToken());
    expect(r.status).toBe(201);
    expect(JSON.parse(r.text).projectId).not.toBe(a.projectId);
  });
  it('anon gets 401 from every function', async () => {
    for (const name of ['create-project', 'start-build', 'complete-build', 'get-or-create-client']) {
      expect((await call(name, { method: 'POST', body: '{}' }, KEYS.anonKey)).status, name).toBe(401);
    }
    expect((await call('build-status', { method: 'GET', query: `?buildId=${a.buildId}` }, KEYS.anonKey)).status).toBe(401);
    expect((await call('project-feed', { method: 'GET', query: `?projectId=${a.projectId}` }, KEYS.anonKey)).status).toBe(401);
  });
});
