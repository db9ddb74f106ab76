/**
 * The edge functions end to end: Deno serving supabase/functions, called with
 * supabase-js `functions.invoke` and with plain fetch, against the real database.
 */
import { randomUUID } from 'node:crypto';
import { createClient, FunctionsHttpError } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, createUser, type Sql, first } from '../helpers/db.ts';
import { fromPostgres } from '../../src/index.ts';
import { KEYS, sessionFor, startEdgeRuntime, type EdgeRuntime } from '../helpers/edge.ts';

let edge: EdgeRuntime;
let sql: Sql;
let alice: string;
let bob: string;

beforeAll(async () => {
  sql = connect(2);
  edge = await startEdgeRuntime();
  alice = await createUser(sql);
  bob = await createUser(sql);
}, 90_000);
afterAll(async () => {
  await edge?.stop();
  await sql?.end();
});

const token = (userId: string) => sessionFor(userId);

function post(name: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${edge.url}/functions/v1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
const auth = (t: string) => ({ authorization: `Bearer ${t}` });

describe('create-project', () => {
  it('works through supabase-js functions.invoke with the user\'s session', async () => {
    const supabase = createClient(edge.url, KEYS.publishableKey, {
      global: { headers: auth(token(alice)) },
      auth: { persistSession: false },
      realtime: { transport: ws as never },
    });
    const key = randomUUID();
    const { data, error } = await supabase.functions.invoke('create-project', {
      body: { name: 'From the browser', framework: 'react', prompt: 'a todo app' },
      headers: { 'Idempotency-Key': key },
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ projectId: expect.any(String), buildId: expect.any(String), versionId: expect.any(String) });
    const [row] = await sql`select user_id, created_by_service from public.projects where id = ${data.projectId}`;
    expect(row).toEqual({ user_id: alice, created_by_service: 'authenticated' });
  });

  it('answers 201 for a new project, 200 with Idempotent-Replayed for a replay, 422 for a reused key', async () => {
    const key = randomUUID();
    const first = await post('create-project', { name: 'Keyed', framework: 'vue' }, { ...auth(token(alice)), 'idempotency-key': key });
    expect(first.status).toBe(201);
    const a = await first.json();
    const replay = await post('create-project', { name: 'Keyed', framework: 'vue' }, { ...auth(token(alice)), 'idempotency-key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ ...a, created: false });
    const reused = await post('create-project', { name: 'Different', framework: 'vue' }, { ...auth(token(alice)), 'idempotency-key': key });
    expect(reused.status).toBe(422);
    const body = await reused.json();
    expect(body).toMatchObject({ code: 'idempotency_key_reused', referenceId: expect.stringMatching(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/) });
    expect(reused.headers.get('x-reference-id')).toBe(body.referenceId);
  });

  it('refuses requests without a user session (401) and service credentials where a user is needed (403)', async () => {
    const cases: [Record<string, string>, number][] = [
      [{}, 401],
      [auth('not.a.jwt'), 401],
      [auth(token(alice).slice(0, -4) + 'AAAA'), 401],
      [auth(KEYS.anonKey), 401],
      [auth(KEYS.publishableKey), 401],
      [{ apikey: KEYS.publishableKey }, 401],
      [auth(KEYS.serviceRoleKey), 403],
      [{ apikey: KEYS.secretKey }, 403],
    ];
    for (const [headers, status] of cases) {
      const res = await post('create-project', { name: 'x' }, headers);
      expect(res.status, JSON.stringify(headers).slice(0, 60)).toBe(status);
      expect(await res.json()).toMatchObject({ code: expect.any(String), referenceId: expect.any(String) });
    }
  });

  it('refuses bad bodies with typed errors: invalid JSON, wrong content type, wrong types, unknown fields, oversized', async () => {
    const h = auth(token(bob));
    const cases: [string | unknown, Record<string, string>, number, string][] = [
      ['{"name":', {}, 400, 'invalid_json'],
      ['[1,2]', {}, 400, 'invalid_input'],
      [{ name: 42 }, {}, 400, 'invalid_input'],
      [{ name: 'x', framework: ['react'] }, {}, 400, 'invalid_input'],
      [{ name: 'x', colour: 'red' }, {}, 400, 'invalid_input'],
      [{ name: 'x', framework: 'cobol' }, {}, 400, 'invalid_input'],
      [{ name: '\u200b' }, {}, 400, 'invalid_input'],
      [{ name: 'x', prompt: 'p'.repeat(600 * 1024) }, {}, 413, 'payload_too_large'],
      ['name=x', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'unsupported_media_type'],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await post('create-project', body, { ...h, ...headers });
      expect(res.status, String(JSON.stringify(body)).slice(0, 60)).toBe(status);
      expect((await res.json()).code).toBe(code);
    }
    const { count } = first(await sql`select count(*)::int as count from public.projects where user_id = ${bob}`);
    expect(count).toBe(0);
  });

  it('answers the CORS preflight', async () => {
    const res = await fetch(`${edge.url}/functions/v1/create-project`, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });
});

describe('build-status, start-build, complete-build', () => {
  it('follows a build from start to deployed, and hides it from another user', async () => {
    const created = await (await post('create-project', { name: 'Lifecycle' }, auth(token(alice)))).json();
    const status = await fetch(`${edge.url}/functions/v1/build-status?buildId=${created.buildId}`, { headers: auth(token(alice)) });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ status: 'started', projectStatus: 'building' });

    const foreign = await fetch(`${edge.url}/functions/v1/build-status?buildId=${created.buildId}`, { headers: auth(token(bob)) });
    expect(foreign.status).toBe(404);
    const foreignStart = await post('start-build', { projectId: created.projectId }, auth(token(bob)));
    expect(foreignStart.status).toBe(404);

    const byUser = await post('complete-build', { buildId: created.buildId, status: 'completed' }, auth(token(alice)));
    expect(byUser.status).toBe(403);
    const done = await post('complete-build', { buildId: created.buildId, status: 'completed' }, { apikey: KEYS.secretKey });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({ projectStatus: 'deployed', versionId: created.versionId });
    const unknown = await post('complete-build', { buildId: created.buildId, status: 'exploded' }, { apikey: KEYS.secretKey });
    expect(unknown.status).toBe(400);

    const next = await post('start-build', { projectId: created.projectId, prompt: 'dark mode' }, { ...auth(token(alice)), 'idempotency-key': 'next-1' });
    expect(next.status).toBe(201);
    const again = await post('start-build', { projectId: created.projectId, prompt: 'dark mode' }, { ...auth(token(alice)), 'idempotency-key': 'next-1' });
    expect(again.status).toBe(200);
    expect((await again.json()).buildId).toBe((await next.json()).buildId);
  });

  it('validates the build id before the database', async () => {
    const res = await fetch(`${edge.url}/functions/v1/build-status?buildId=../../etc`, { headers: auth(token(alice)) });
    expect(res.status).toBe(400);
    const missing = await fetch(`${edge.url}/functions/v1/build-status`, { headers: auth(token(alice)) });
    expect(missing.status).toBe(400);
  });
});

describe('get-or-create-client', () => {
  it('creates once (201), returns it after (200); another user\'s same chat id is their own client (201), revealing nothing', async () => {
    const id = `chat_${randomUUID().slice(0, 8)}`;
    const first = await post('get-or-create-client', { id, name: 'Acme', email: 'ceo@acme.test' }, auth(token(alice)));
    expect(first.status).toBe(201);
    const second = await post('get-or-create-client', { id, name: 'Acme' }, auth(token(alice)));
    expect(second.status).toBe(200);
    const theirs = await post('get-or-create-client', { id, name: 'Mine' }, auth(token(bob)));
    expect(theirs.status).toBe(201);
    expect(await theirs.text()).not.toContain('acme');
  });
});

describe('project-feed', () => {
  it('reads a project\'s events page by page with the user\'s session, hides another user\'s, refuses bad input', async () => {
    const created = await (await post('create-project', { name: 'Feed', prompt: 'a feed' }, auth(token(alice)))).json();
    const feed = (query: string, t = token(alice)) => fetch(`${edge.url}/functions/v1/project-feed${query}`, { headers: auth(t) });
    let body: { events: { type: string; prompt: string; cursor: string }[]; cursor: string | null } = { events: [], cursor: null };
    await expect.poll(async () => {
      body = await (await feed(`?projectId=${created.projectId}`)).json();
      return body.events.map((e) => e.type);
    }).toEqual(['project_created', 'build_started', 'version_created']);
    expect(body.events[1]).toMatchObject({ prompt: 'a feed', buildStatus: 'started' });
    expect(body.cursor).toBe(body.events[2]!.cursor);

    const page = await (await feed(`?projectId=${created.projectId}&limit=1`)).json();
    expect(page.events).toHaveLength(1);
    const rest = await (await feed(`?projectId=${created.projectId}&after=${page.cursor}`)).json();
    expect(rest.events.map((e: { type: string }) => e.type)).toEqual(['build_started', 'version_created']);

    expect((await (await feed(`?projectId=${created.projectId}`, token(bob))).json()).events).toEqual([]);
    expect((await feed('?after=nope')).status).toBe(400);
    expect((await feed('?limit=0')).status).toBe(400);
    expect((await feed('?limit=x')).status).toBe(400);
    expect((await feed('?projectId=x')).status).toBe(400);
    expect((await feed('?other=1')).status).toBe(400);
    const traced = await fetch(`${edge.url}/functions/v1/project-feed?limit=x`, { headers: { ...auth(token(alice)), 'x-request-id': 'feed-trace-1' } });
    expect(traced.headers.get('x-request-id')).toBe('feed-trace-1');
    expect(await traced.json()).toMatchObject({ code: 'invalid_input', error: 'limit must be a whole number' });
    expect((await feed('', KEYS.anonKey)).status).toBe(401);
    expect((await post('project-feed', {}, auth(token(alice)))).status).toBe(405);
  });
});

describe('callers written to the original API, and answers that say what to do', () => {
  const REQUEST_ID = /^[!-~]{1,200}$/;

  it('the web app after the worker, same intent within the window: 200 with the worker\'s project and versionId null', async () => {
    const worker = fromPostgres(sql, { actAs: 'service_role', logger: null });
    const made = await worker.createProjectForBuild({ userId: alice, prompt: 'a todo app from the worker', source: 'worker-service' });
    const res = await post('create-project', { prompt: 'a todo app from the worker' }, auth(token(alice)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      projectId: made.projectId, versionId: null, buildId: made.buildId, buildMetricsId: made.buildMetricsId, status: 'building', created: false,
    });
  });

  it('accepts the old web app\'s projectId: a new id creates under it, the same body replays, another user\'s id is 409 without details', async () => {
    const projectId = randomUUID();
    const body = { projectId, name: 'Chosen id', framework: 'svelte', prompt: 'a shop' };
    const created = await post('create-project', body, auth(token(alice)));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ projectId, status: 'building', created: true, versionId: expect.any(String) });
    const replay = await post('create-project', body, auth(token(alice)));
    expect(replay.status).toBe(200);
    expect(await replay.json()).toMatchObject({ projectId, created: false });
    const changed = await post('create-project', { ...body, prompt: 'a blog' }, auth(token(alice)));
    expect(changed.status).toBe(422);
    const stolen = await post('create-project', body, auth(token(bob)));
    expect(stolen.status).toBe(409);
    const text = await stolen.text();
    expect(text).not.toContain('Chosen id');
    expect(text).not.toContain(alice);
    expect(text).not.toContain('p_project_id');
  });

  it('refuses unknown fields naming the accepted ones', async () => {
    const res = await post('create-project', { name: 'x', colour: 'red' }, auth(token(bob)));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('unknown field(s): colour; accepted: name, framework, prompt, idempotencyKey, projectId');
  });

  it('keeps a valid x-request-id, replaces an invalid one (trace 42) instead of failing, and answers with the id used', async () => {
    const kept = await post('create-project', { name: 'Traced' }, { ...auth(token(alice)), 'x-request-id': 'trace-42' });
    expect(kept.status).toBe(201);
    expect(kept.headers.get('x-request-id')).toBe('trace-42');
    const { projectId } = await kept.json();
    const { request_id } = first(await sql`select request_id from public.project_events where project_id = ${projectId} and event_type = 'project_created'`);
    expect(request_id).toBe('trace-42');

    const replaced = await post('create-project', { name: 'Traced with a space' }, { ...auth(token(alice)), 'x-request-id': 'trace 42' });
    expect(replaced.status).toBe(201);
    const used = replaced.headers.get('x-request-id')!;
    expect(used).toMatch(REQUEST_ID);
    expect(used).not.toBe('trace 42');
    const failed = await post('create-project', { name: '' }, auth(token(alice)));
    expect(failed.status).toBe(400);
    expect(failed.headers.get('x-request-id')).toMatch(REQUEST_ID);
  });

  it('logs one JSON line per error answer, 4xx included, under the referenceId the caller sees', async () => {
    const res = await fetch(`${edge.url}/functions/v1/build-status?buildId=01ARZ3NDEKTSV4RRFFQ69G5FAV`, {
      headers: { ...auth(token(alice)), 'x-request-id': 'find-me-1' },
    });
    expect(res.status).toBe(404);
    const { referenceId } = await res.json();
    await expect.poll(() => edge.output().includes(referenceId), { timeout: 5000 }).toBe(true);
    const line = edge.output().split('\n').find((l) => l.includes(referenceId))!;
    expect(JSON.parse(line)).toMatchObject({
      level: 'info', referenceId, requestId: 'find-me-1', function: 'build-status', code: 'not_found', httpStatus: 404,
      role: 'authenticated', userId: alice, durationMs: expect.any(Number),
    });
  });

  it('names JSON fields, not SQL parameters, and lists the allowed frameworks', async () => {
    const res = await post('create-project', { name: 'x', framework: 'cobol' }, auth(token(bob)));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatch(/^framework must be one of: .*\breact\b.*\bvue\b/);
    expect(JSON.stringify(body)).not.toContain('p_');
  });

  it('answers the anon key with a hint to get a user token (npm run dev:user)', async () => {
    const res = await post('create-project', { name: 'x' }, auth(KEYS.anonKey));
    expect(res.status).toBe(401);
    expect((await res.json()).hint).toContain('npm run dev:user');
  });

  it('answers a token whose user is gone (a reset database) with a hint to run dev:user again', async () => {
    const ghost = await createUser(sql);
    const stale = token(ghost);
    await sql`delete from auth.users where id = ${ghost}`;
    const res = await post('create-project', { name: 'x' }, auth(stale));
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.code).toBe('unknown_user');
    expect(body.hint).toContain('npm run dev:user');
  });

  it('start-build sets the build\'s framework; the project follows it', async () => {
    const made = await (await post('create-project', { name: 'Framework switch', framework: 'react' }, auth(token(alice)))).json();
    const res = await post('start-build', { projectId: made.projectId, framework: 'nextjs' }, auth(token(alice)));
    expect(res.status).toBe(201);
    const { buildId } = await res.json();
    const { framework } = first(await sql`select framework from public.project_build_metrics where build_id = ${buildId}`);
    expect(framework).toBe('nextjs');
    const project = first(await sql`select framework from public.projects where id = ${made.projectId}`);
    expect(project.framework).toBe('nextjs');
  });
});
