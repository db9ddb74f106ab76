/**
 * The SDK over supabase-js, through supabase-js itself: its RPC requests are
 * answered by a PostgREST emulator (tests/helpers/postgrest-fetch.ts) against
 * the real database. Proves our parameter names, result unwrapping and error
 * mapping from PostgREST's body and status.
 */
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PermissionError, RetryableError, ValidationError, fromSupabase } from '../../src/index.ts';
import { anonKey, serviceRoleKey, legacyUserJwt as userJwt } from '../../scripts/lib/jwt.ts';
import { connect, createUser, type Sql, rejection } from '../helpers/db.ts';
import { postgrestFetch } from '../helpers/postgrest-fetch.ts';
import { freePort } from '../helpers/edge.ts';

const SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const URL_ = 'http://127.0.0.1:54321';
let sql: Sql;

function client(token: string, fetchImpl?: typeof fetch) {
  return createClient(URL_, anonKey(SECRET), {
    global: { fetch: fetchImpl ?? postgrestFetch(sql), headers: { Authorization: `Bearer ${token}` } },
    auth: { persistSession: false, autoRefreshToken: false },
    // Node 20 has no global WebSocket; supabase-js's Realtime client wants one.
    realtime: { transport: ws as never },
  });
}


beforeAll(() => {
  sql = connect(4);
});
afterAll(() => sql.end());

describe('fromSupabase (supabase-js rpc)', () => {
  it('creates, replays, starts, completes and polls with the user\'s session and the service key', async () => {
    const user = await createUser(sql);
    const api = fromSupabase(client(userJwt(user, SECRET)), { logger: null });
    const worker = fromSupabase(client(serviceRoleKey(SECRET)), { logger: null });
    const key = randomUUID();
    const created = await api.createCompleteProject({ name: 'Via PostgREST', framework: 'vue', idempotencyKey: key });
    expect(created).toMatchObject({ created: true });
    expect(typeof created.buildMetricsId).toBe('number');
    expect(await api.createCompleteProject({ name: 'Via PostgREST', framework: 'vue', idempotencyKey: key })).toEqual({ ...created, created: false });
    const done = await worker.completeBuild({ buildId: created.buildId, status: 'succeeded' });
    expect(done).toEqual({ projectId: created.projectId, projectStatus: 'deployed', versionId: created.versionId });
    const status = await api.pollBuildStatus(created.buildId, { initialDelayMs: 10 });
    expect(status).toMatchObject({ status: 'completed', projectStatus: 'deployed', versionId: created.versionId });
    expect(status.startedAt).toMatch(/Z$/);
    const next = await api.startBuild({ projectId: created.projectId });
    expect(next.supersededBuildId).toBeNull();
    const c = await api.getOrCreateClient({ id: `chat-${user.slice(0, 8)}`, name: 'Client' });
    expect(c).toMatchObject({ userId: user, created: true });
  });

  it('maps PostgREST error bodies by SQLSTATE, not by HTTP status', async () => {
    const user = await createUser(sql);
    const other = await createUser(sql);
    const api = fromSupabase(client(userJwt(user, SECRET)), { logger: null });
    const anon = fromSupabase(client(anonKey(SECRET)), { logger: null });

    const conflict = await rejection(api.createCompleteProject({ name: 'A', idempotencyKey: 'same' }).then(() =>
      api.createCompleteProject({ name: 'B', idempotencyKey: 'same' })));
    expect(conflict).toBeInstanceOf(ConflictError);
    expect(conflict).toMatchObject({ sqlstate: 'PT422', httpStatus: 422 });

    const forbidden = await rejection(api.createCompleteProject({ userId: other, name: 'x' }));
    expect(forbidden).toBeInstanceOf(PermissionError);
    expect(forbidden).toMatchObject({ sqlstate: '42501', httpStatus: 403 });

    const anonymous = await rejection(anon.createCompleteProject({ name: 'x' }));
    expect(anonymous).toBeInstanceOf(PermissionError);
    expect(anonymous).toMatchObject({ sqlstate: '42501', httpStatus: 401 });

    const missing = await rejection(api.getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(missing).toBeInstanceOf(NotFoundError);

    const invalid = await rejection(api.createCompleteProject({ name: 'x', framework: 'fortran' }));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect(invalid).toMatchObject({ sqlstate: '22023' });
  });

  it('treats a 55P03 that PostgREST answers with 500 as retryable', async () => {
    const failing: typeof fetch = async () =>
      new Response(JSON.stringify({ code: '55P03', message: 'lock wait', details: null, hint: 'Retry' }), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    const api = fromSupabase(client(serviceRoleKey(SECRET), failing), { logger: null });
    const err = await rejection(api.getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ sqlstate: '55P03', httpStatus: 503 });
  });

  it('turns PostgREST\'s refusal of the session (PGRST301, HTTP 401) into PermissionError 401 with a hint to refresh', async () => {
    const user = await createUser(sql);
    const api = fromSupabase(client(userJwt(user, 'another-secret-another-secret-another-secret')), { logger: null });
    const err = await rejection(api.createCompleteProject({ name: 'Stale session' }));
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toMatchObject({ code: 'invalid_session', httpStatus: 401, sqlstate: 'PGRST301' });
    expect(String(err.hint)).toMatch(/refresh/);
  });

  it('tells a refused connection (unavailable: the call did not run) from a network failure', async () => {
    // A port nothing listens on (port 1 would not do: fetch refuses it without connecting).
    const refused = createClient(`http://127.0.0.1:${await freePort()}`, anonKey(SECRET), {
      global: { headers: { Authorization: `Bearer ${serviceRoleKey(SECRET)}` } },
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: ws as never },
    });
    const err = await rejection(fromSupabase(refused, { logger: null }).getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'unavailable', httpStatus: 503 });
  });

  it('treats a network failure (supabase-js status 0) as retryable with an unknown outcome', async () => {
    const offline: typeof fetch = async () => {
      throw new TypeError('fetch failed');
    };
    const api = fromSupabase(client(serviceRoleKey(SECRET), offline), { logger: null });
    const err = await rejection(api.getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'network' });
  });

  it('fails loudly when a result does not have the expected shape', async () => {
    const wrong: typeof fetch = async () =>
      new Response(JSON.stringify([{ version_id: 'not-a-ulid', created: true }]), { status: 200, headers: { 'content-type': 'application/json' } });
    const api = fromSupabase(client(serviceRoleKey(SECRET), wrong), { logger: null });
    const err = await rejection(api.createVersionOnSuccess({ buildId: '01ARZ3NDEKTSV4RRFFQ69G5FAV' }));
    expect(err).toMatchObject({ code: 'unexpected_result', httpStatus: 500 });
  });
});
