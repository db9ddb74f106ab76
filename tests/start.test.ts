/**
 * The main job, end to end: `npm start`'s script against the test database
 * (DATABASE_URL, so it starts no embedded server) on a free port. Health, a
 * project created through the gateway with supabase-js functions.invoke, and
 * a clean stop on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import ws from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonKey, userJwt } from '../scripts/lib/jwt.ts';
import { connect, createUser, databaseUrl, type Sql } from './helpers/db.ts';
import { JWT_SECRET, freePort } from './helpers/edge.ts';

let child: ChildProcess;
let output = '';
let api: string;
let sql: Sql;

beforeAll(async () => {
  sql = connect(1);
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  const root = path.resolve(import.meta.dirname, '..');
  child = spawn(process.execPath, [path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/start.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl(), API_PORT: String(port), SUPABASE_JWT_SECRET: JWT_SECRET, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" within 60 s:\n${output}`)), 60_000);
    const check = setInterval(() => {
      if (/ready in [\d.]+ s/.test(output)) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await sql?.end();
});

describe('npm start', () => {
  it('prints the URLs, the database URL, the local keys and ready', () => {
    expect(output).toContain(`API URL:        ${api}`);
    expect(output).toContain(`${api}/functions/v1/health`);
    expect(output).toContain(`anon key:       ${anonKey(JWT_SECRET)}`);
    expect(output).toMatch(/service_role key: eyJ/);
    expect(output).toMatch(/DB URL: +postgresql:\/\//);
  });

  it('answers the health check with the database reachable and the applied migration', async () => {
    const res = await fetch(`${api}/functions/v1/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; database: { reachable: boolean; migration: string } };
    const [latest] = await sql<{ v: string }[]>`select max(version) as v from dbmate.schema_migrations`;
    expect(body).toMatchObject({ status: 'ok', database: { reachable: true, migration: latest!.v } });
  });

  it('serves the edge functions under /functions/v1/<name> for supabase-js functions.invoke', async () => {
    const user = await createUser(sql);
    const supabase = createClient(api, anonKey(JWT_SECRET), {
      global: { headers: { Authorization: `Bearer ${userJwt(user, JWT_SECRET)}` } },
      auth: { persistSession: false },
      realtime: { transport: ws as never },
    });
    const { data, error } = await supabase.functions.invoke('create-project', {
      body: { name: 'Through the gateway', framework: 'nextjs' },
      headers: { 'Idempotency-Key': `gw-${user}` },
    });
    expect(error).toBeNull();
    expect(data).toMatchObject({ projectId: expect.any(String), buildId: expect.any(String) });
    const unknown = await fetch(`${api}/functions/v1/no-such-function`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    const outside = await fetch(`${api}/rest/v1/projects`);
    expect(outside.status).toBe(404);
  });

  it('stops everything it started on SIGINT', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGINT: stopping');
    const refused = await fetch(`${api}/functions/v1/health`).then(() => 'answered', () => 'refused');
    expect(refused).toBe('refused');
  });
});
