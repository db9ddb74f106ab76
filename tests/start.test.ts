/**
 * The main job, end to end: `npm start`'s script against the test database
 * (DATABASE_URL, so it starts no embedded server) on a free port, with its
 * stack state and local keys in a temporary directory. Health, the JWKS, a
 * project created through the gateway with supabase-js functions.invoke, the
 * worker's secret key, `npm run env` for a second terminal, and a clean stop
 * on SIGINT that clears the stack state.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userJwt } from '../scripts/lib/jwt.ts';
import { connect, createUser, databaseUrl, type Sql } from './helpers/db.ts';
import { freePort } from './helpers/edge.ts';
import { root, startStack, tsx } from './helpers/stack.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'start-test-'));
const stackFile = path.join(dir, 'stack.json');
const keysFile = path.join(dir, 'keys.json');
const env = { ...process.env, DATABASE_URL: databaseUrl(), STACK_STATE_FILE: stackFile, LOCAL_KEYS_FILE: keysFile, NO_COLOR: '1' };

let child: ChildProcess;
let output: () => string;
let api: string;
let sql: Sql;

beforeAll(async () => {
  sql = connect(1);
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const stack = await startStack({ ...env, API_PORT: String(port) });
  child = stack.child;
  output = stack.output;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sql?.end();
  rmSync(dir, { recursive: true, force: true });
});

const keys = () => JSON.parse(readFileSync(keysFile, 'utf8')) as { signingKey: { kid: string }; publishableKey: string; secretKey: string };

describe('npm start', () => {
  it('prints the URLs, the database URL, the keys a hosted project has, and ready', () => {
    expect(output()).toContain(`API URL:          ${api}`);
    expect(output()).toContain(`${api}/functions/v1/health`);
    expect(output()).toContain(`publishable key:  ${keys().publishableKey}`);
    expect(output()).toContain(`secret key:       ${keys().secretKey}`);
    expect(output()).toMatch(/service_role key: eyJ/);
    expect(output()).toMatch(/DB URL: +postgresql:\/\//);
  });

  it('records the running stack in the stack state', () => {
    const state = JSON.parse(readFileSync(stackFile, 'utf8'));
    expect(state).toMatchObject({ owner: 'start', pid: expect.any(Number), apiUrl: api, databaseUrl: databaseUrl(), secretKey: keys().secretKey });
  });

  it('answers the health check with the database reachable and the applied migration', async () => {
    const res = await fetch(`${api}/functions/v1/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: { reachable: boolean; migration: string } };
    const [latest] = await sql<{ v: string }[]>`select max(version) as v from dbmate.schema_migrations`;
    expect(body).toMatchObject({ status: 'ok', database: { reachable: true, migration: latest!.v } });
  });

  it('publishes the signing key at /auth/v1/.well-known/jwks.json, without its private part', async () => {
    const jwks = (await (await fetch(`${api}/auth/v1/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toEqual([expect.objectContaining({ kid: keys().signingKey.kid, alg: 'ES256', kty: 'EC', crv: 'P-256' })]);
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  it('serves the edge functions under /functions/v1/<name> for supabase-js functions.invoke with an ES256 session', async () => {
    const user = await createUser(sql);
    const supabase = createClient(api, keys().publishableKey, {
      global: { headers: { Authorization: `Bearer ${userJwt(user, keys().signingKey)}` } },
      auth: { persistSession: false },
      realtime: { transport: ws as never },
    });
    const { data, error } = await supabase.functions.invoke('create-project', {
      body: { name: 'Through the gateway', framework: 'nextjs' },
      headers: { 'Idempotency-Key': `gw-${user}` },
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ projectId: expect.any(String), buildId: expect.any(String) });
    const done = await fetch(`${api}/functions/v1/complete-build`, {
      method: 'POST',
      headers: { apikey: keys().secretKey, 'content-type': 'application/json' },
      body: JSON.stringify({ buildId: data.buildId, status: 'completed' }),
    });
    expect(done.status).toBe(200);
    const unknown = await fetch(`${api}/functions/v1/no-such-function`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const outside = await fetch(`${api}/rest/v1/projects`);
    expect(outside.status).toBe(404);
  });

  it('`npm run env` prints export lines for the running stack that a second terminal can eval', async () => {
    const r = spawnSync(process.execPath, [tsx, 'scripts/env.ts', `env-${Date.now()}@example.test`], { cwd: root, env: { ...env, DATABASE_URL: '' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const vars = Object.fromEntries([...r.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
    expect(vars).toMatchObject({ SUPABASE_URL: api, SUPABASE_SECRET_KEY: keys().secretKey, SUPABASE_PUBLISHABLE_KEY: keys().publishableKey, DATABASE_URL: databaseUrl() });
    expect(r.stdout).toContain(`npm start` + '` (pid ' + String(JSON.parse(readFileSync(stackFile, 'utf8')).pid));
    const res = await fetch(`${vars.SUPABASE_URL}/functions/v1/create-project`, {
      method: 'POST',
      headers: { authorization: `Bearer ${vars.USER_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'From a second terminal' }),
    });
    expect(res.status).toBe(201);
  });

  it('stops everything it started on SIGINT and clears the stack state', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output()).toContain('SIGINT: stopping');
    const refused = await fetch(`${api}/functions/v1/health`).then(() => 'answered', () => 'refused');
    expect(refused).toBe('refused');
    expect(existsSync(stackFile)).toBe(false);
  });
});
