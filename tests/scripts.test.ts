/**
 * The scripts a newcomer runs: each uses the running stack the stack state
 * records unless told otherwise, says which one it used, and a failure names
 * the setting, where its value came from, and the next step.
 * `functions:serve` serves the functions from an env file of hosted variables.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCAL_JWT_SECRET } from '../scripts/lib/config.ts';
import { signJwt, userJwt } from '../scripts/lib/jwt.ts';
import { connect, createUser, databaseUrl } from './helpers/db.ts';
import { freePort, KEYS } from './helpers/edge.ts';
import { hostedFunctionEnv } from '../scripts/lib/keys.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const dir = mkdtempSync(path.join(tmpdir(), 'scripts-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The environment of a newcomer's shell: no DATABASE_URL, state and keys in the temporary dir. */
function shellEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, STACK_STATE_FILE: path.join(dir, 'stack.json'), LOCAL_KEYS_FILE: path.join(dir, 'keys.json'), DB_DATA_DIR: path.join(dir, 'no-cluster'), NO_COLOR: '1' };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return { ...env, ...extra };
}

const run = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
  spawnSync(process.execPath, [tsx, script, ...args], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });

describe('db:migrate', () => {
  it('a DATABASE_URL where nothing listens names the setting, its source, connection refused, and what to do', async () => {
    const port = await freePort();
    const r = run('scripts/migrate.ts', [], shellEnv({ DATABASE_URL: `postgresql://postgres:secret@127.0.0.1:${port}/postgres` }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL (from the environment)');
    expect(r.stderr).toContain(`connection refused: nothing listens on 127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/Next: start that server, or fix or unset DATABASE_URL/);
    expect(r.stderr).not.toContain('secret');
  });

  it('a DATABASE_URL that is not a URL, or with a wrong password, says so', () => {
    const bad = run('scripts/migrate.ts', [], shellEnv({ DATABASE_URL: 'postgres//oops' }));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('DATABASE_URL (from the environment) is not a valid URL');
    const u = new URL(databaseUrl());
    u.password = 'wrong-password';
    const auth = run('scripts/migrate.ts', [], shellEnv({ DATABASE_URL: u.toString() }));
    expect(auth.status).toBe(1);
    expect(auth.stderr).toMatch(/DATABASE_URL \(from the environment\).*authentication: the server at .* refused the user or password/);
  });
});

describe('dev:user and the stack state', () => {
  it('uses the running stack the state records, also when DB_PORT names its port, and says so', async () => {
    const url = new URL(databaseUrl());
    writeFileSync(
      path.join(dir, 'stack.json'),
      JSON.stringify({ owner: 'db:start', pid: 1, startedAt: new Date().toISOString(), databaseUrl: databaseUrl(), embedded: { port: Number(url.port), dataDir: path.join(dir, 'no-cluster'), pid: null }, ownsDatabase: true }),
    );
    try {
      for (const extra of [{}, { DB_PORT: url.port }] as Record<string, string>[]) {
        const r = run('scripts/dev-user.ts', ['stack-state@example.test'], shellEnv(extra));
        expect(r.status, r.stderr).toBe(0);
        expect(r.stderr).toContain('the running stack of `npm run db:start`');
        expect(r.stdout).toMatch(/^USER_ID=[0-9a-f-]{36}\nUSER_TOKEN=eyJ/);
        expect(r.stderr).not.toContain('set DB_PORT to another port');
      }
    } finally {
      rmSync(path.join(dir, 'stack.json'), { force: true });
    }
  });

  it('without a state, DB_PORT naming a port another server holds gets advice that fits (same DB_DATA_DIR or DATABASE_URL)', () => {
    const port = new URL(databaseUrl()).port;
    const r = run('scripts/dev-user.ts', [], shellEnv({ DB_PORT: port }));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`DB_PORT (from the environment) = ${port}`);
    expect(r.stderr).toContain('not the embedded database in');
    expect(r.stderr).toMatch(/same DB_DATA_DIR, or set DATABASE_URL=postgresql:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres/);
  });
});

describe('functions:serve', () => {
  it('serves the functions from an env file of hosted variables only (quoted values): forged → 401, ES256 session → 201, sb_secret → 200', async () => {
    const vars = hostedFunctionEnv(KEYS, { supabaseUrl: 'http://127.0.0.1:9', dbUrl: databaseUrl() });
    const envFile = path.join(dir, 'functions.env');
    writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n');
    const port = await freePort();
    const child = spawn(process.execPath, [tsx, 'scripts/functions-serve.ts', '--env-file', envFile, '--port', String(port)], { cwd: root, env: shellEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (out += d));
    const sql = connect(1);
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setInterval(() => out.includes('serving http://127.0.0.1') && (clearInterval(t), resolve()), 50);
        child.once('exit', (code) => (clearInterval(t), reject(new Error(`functions:serve exited ${code}: ${out}`))));
      });
      const base = `http://127.0.0.1:${port}/functions/v1`;
      const user = await createUser(sql);
      const post = (name: string, headers: Record<string, string>, body: unknown) =>
        fetch(`${base}/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
      const forged = await post('create-project', { authorization: `Bearer ${signJwt({ sub: user, role: 'authenticated', aud: 'authenticated', exp: 4e9 }, LOCAL_JWT_SECRET)}` }, { name: 'forged' });
      expect(forged.status).toBe(401);
      const created = await post('create-project', { authorization: `Bearer ${userJwt(user, KEYS.signingKey)}` }, { name: 'served' });
      expect(created.status).toBe(201);
      const { buildId } = (await created.json()) as { buildId: string };
      expect((await post('complete-build', { apikey: KEYS.secretKey }, { buildId, status: 'completed' })).status).toBe(200);
    } finally {
      child.kill('SIGINT');
      await sql.end();
    }
  });

  it('without --env-file, serves against the running stack the state records, and says so', async () => {
    const stackFile = path.join(dir, 'stack.json');
    writeFileSync(stackFile, JSON.stringify({ owner: 'start', pid: process.pid, startedAt: new Date().toISOString(), databaseUrl: databaseUrl(), ownsDatabase: false, apiUrl: 'http://127.0.0.1:9' }));
    const port = await freePort();
    const child = spawn(process.execPath, [tsx, 'scripts/functions-serve.ts', '--port', String(port)], { cwd: root, env: shellEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    child.stderr!.on('data', (d: Buffer) => (out += d));
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setInterval(() => out.includes('serving http://127.0.0.1') && (clearInterval(t), resolve()), 50);
        child.once('exit', (code) => (clearInterval(t), reject(new Error(`functions:serve exited ${code}: ${out}`))));
      });
      expect(out).toContain('variables: from the running stack of `npm start`');
      const res = await fetch(`http://127.0.0.1:${port}/functions/v1/create-project`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(401);
    } finally {
      child.kill('SIGINT');
      rmSync(stackFile, { force: true });
    }
  });

  it('refuses an env file with a variable hosted Supabase would not provide', () => {
    const envFile = path.join(dir, 'bad.env');
    writeFileSync(envFile, `SUPABASE_DB_URL=${databaseUrl()}\nSUPABASE_JWT_SECRET=${LOCAL_JWT_SECRET}\n`);
    const r = run('scripts/functions-serve.ts', ['--env-file', envFile, '--port', '1'], shellEnv());
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SUPABASE_JWT_SECRET would not reach a hosted function');
  });
});
