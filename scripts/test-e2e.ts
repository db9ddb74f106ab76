/**
 * npm run test:e2e: the NextJS example in a real browser. Starts a throwaway
 * PostgreSQL 17, the local stack (npm start's script, against it, on a free
 * port), builds and starts the example, then runs tests/e2e with vitest
 * (playwright-core driving Debian's Chromium). Needs `apt-get install chromium`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, run } from './lib/cluster.ts';
import { root } from './lib/config.ts';
import { migrate } from './lib/migrate.ts';
import { startThrowaway, type Throwaway } from './lib/throwaway.ts';
import { ensureExampleDeps, exampleDir, exampleEnv, nextCli, spawnUntil, stop, tsxCli } from './lib/example.ts';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const log = (m: string) => console.log(`[e2e] ${m}`);
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let db: Throwaway | undefined;
let stack: ChildProcess | undefined;
let app: ChildProcess | undefined;

async function cleanup() {
  await stop(app, 'SIGTERM');
  await stop(stack);
  await db?.dispose();
}

async function main(): Promise<number> {
  if (!existsSync(chromium)) throw new Error(`Chromium is not installed at ${chromium}: apt-get install chromium (or run .ci/run)`);
  await ensureExampleDeps(log);
  db = await startThrowaway();
  await migrate(db.url, () => undefined);
  log(`database: throwaway PostgreSQL 17 on port ${db.cluster.opts.port}`);

  const apiPort = await freePort();
  const env = { ...process.env, DATABASE_URL: db.url, API_PORT: String(apiPort), NO_COLOR: '1' };
  stack = (await spawnUntil(process.execPath, [tsxCli, 'scripts/start.ts'], { cwd: root, env, ready: (o) => /ready in/.test(o), timeoutMs: 90_000 })).child;
  log(`stack ready on 127.0.0.1:${apiPort}`);

  const appEnv = { ...env, ...exampleEnv(`http://127.0.0.1:${apiPort}`, db.url), EXAMPLE_DEV_TOOLS: '1', NEXT_TELEMETRY_DISABLED: '1' };
  log('building the example (next build)');
  const build = await run(process.execPath, [nextCli, 'build'], { cwd: exampleDir, env: appEnv });
  if (build.code !== 0) throw new Error(`next build failed:\n${build.stdout.slice(-3000)}${build.stderr.slice(-3000)}`);
  const appPort = await freePort();
  app = (await spawnUntil(process.execPath, [nextCli, 'start', '--hostname', '127.0.0.1', '--port', String(appPort)], {
    cwd: exampleDir,
    env: appEnv,
    ready: (o) => /Ready in|started server|Local:/.test(o),
    timeoutMs: 60_000,
  })).child;
  const url = `http://127.0.0.1:${appPort}`;
  log(`example ready at ${url}`);

  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const r = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [vitest, 'run', '--config', 'vitest.e2e.config.ts'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...appEnv, EXAMPLE_URL: url, CHROMIUM_PATH: chromium },
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
  log(r === 0 ? 'passed; screenshots in test-artifacts/ (project-list, project-three-builds, error-state)' : 'failed');
  return r;
}


for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

main()
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  })
  .catch(async (e: unknown) => {
    console.error(`[e2e] ${e instanceof Error ? e.message : String(e)}`);
    await cleanup();
    process.exit(1);
  });
