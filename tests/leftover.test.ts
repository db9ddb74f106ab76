/**
 * A killed `npm start` (SIGKILL, an IDE's stop button) leaves its embedded
 * PostgreSQL running (pg_ctl daemonizes it). The next `npm start` adopts it,
 * says so, and stops it on Ctrl-C; the functions of the killed one exit with it.
 * One that `npm run db:start` started is reported with the command that stops it.
 * A real embedded cluster in a temporary directory, on free ports.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { embeddedBinDir } from '../scripts/lib/binaries.ts';
import { Cluster, makeTempDir, portInUse } from '../scripts/lib/cluster.ts';
import { freePort } from './helpers/edge.ts';

const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
let dir = '';
let dbPort = 0;

afterAll(async () => {
  if (dir) {
    await new Cluster({ binDir: embeddedBinDir(), dataDir: path.join(dir, 'pg'), port: dbPort }).stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});

async function stackEnv(): Promise<NodeJS.ProcessEnv> {
  if (!dir) {
    dir = await makeTempDir('leftover-');
    dbPort = await freePort();
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DB_DATA_DIR: path.join(dir, 'pg'),
    DB_PORT: String(dbPort),
    API_PORT: String(await freePort()),
    STACK_STATE_FILE: path.join(dir, 'stack.json'),
    LOCAL_KEYS_FILE: path.join(dir, 'keys.json'),
    NO_COLOR: '1',
  };
  delete env.DATABASE_URL;
  return env;
}

async function startStack(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [tsx, 'scripts/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => /ready in [\d.]+ s/.test(out) && (clearInterval(t), resolve()), 50);
    child.once('exit', (code) => (clearInterval(t), reject(new Error(`npm start exited ${code}:\n${out}`))));
  });
  return { child, output: () => out };
}

describe('a leftover embedded PostgreSQL', () => {
  it('is adopted by the next npm start and stopped on its Ctrl-C', async () => {
    const env = await stackEnv();

    const first = await startStack(env);
    const killedPid = (JSON.parse(readFileSync(path.join(dir, 'stack.json'), 'utf8')) as { pid: number }).pid;
    const apiUrl = `http://127.0.0.1:${env.API_PORT}`;
    const exited = new Promise((r) => first.child.once('exit', r));
    process.kill(killedPid, 'SIGKILL');
    first.child.kill('SIGKILL');
    await exited;
    expect(await portInUse(dbPort)).toBe(true); // the database outlived it

    const second = await startStack(env);
    onTestFinished(() => void (second.child.exitCode === null && second.child.kill('SIGINT')));
    expect(second.output()).toContain(`left running by an \`npm start\` that was killed (pid ${killedPid}): Ctrl-C stops it`);
    expect((await fetch(`${apiUrl}/functions/v1/health`)).status).toBe(200);
    const stopped = new Promise<number | null>((r) => second.child.once('exit', (code) => r(code)));
    second.child.kill('SIGINT');
    expect(await stopped).toBe(0);
    expect(second.output()).toContain('embedded PostgreSQL stopped');
    expect(await portInUse(dbPort)).toBe(false);
  }, 180_000);

  it("started by db:start, is reported by npm start with the command that stops it, and keeps running (and its record) after Ctrl-C", async () => {
    const env = await stackEnv();
    const db = spawnSync(process.execPath, [tsx, 'scripts/db.ts', 'start'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(db.status, db.stderr).toBe(0);
    const stack = await startStack(env);
    onTestFinished(() => void (stack.child.exitCode === null && stack.child.kill('SIGINT')));
    expect(stack.output()).toContain(`started by \`npm run db:start\`: it keeps running after Ctrl-C (stop it with \`DB_DATA_DIR=${env.DB_DATA_DIR} DB_PORT=${dbPort} npm run db:stop\`)`);
    const stopped = new Promise((r) => stack.child.once('exit', r));
    stack.child.kill('SIGINT');
    await stopped;
    expect(await portInUse(dbPort)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, 'stack.json'), 'utf8'))).toMatchObject({ owner: 'db:start' });
    const stop = spawnSync(process.execPath, [tsx, 'scripts/db.ts', 'stop'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
    expect(stop.stdout).toContain('embedded PostgreSQL stopped');
    expect(await portInUse(dbPort)).toBe(false);
    expect(existsSync(path.join(dir, 'stack.json'))).toBe(false);
  }, 180_000);
});
