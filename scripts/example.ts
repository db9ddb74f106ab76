/**
 * npm run example: the local stack (`npm start`: database, migrations, edge
 * functions on 127.0.0.1:54321) and the NextJS example's dev server on
 * 127.0.0.1:3000 (EXAMPLE_PORT). Prints the URL; Ctrl-C stops both.
 */
import type { ChildProcess } from 'node:child_process';
import { config, root } from './lib/config.ts';
import { ensureExampleDeps, exampleDir, nextCli, spawnUntil, stop, tsxCli } from './lib/example.ts';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const log = (m: string) => console.log(`[example] ${m}`);
const port = Number(process.env.EXAMPLE_PORT ?? 3000);
let stack: ChildProcess | undefined;
let app: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

const shutdown = (code: number) =>
  (stopping ??= (async () => {
    await stop(app, 'SIGTERM');
    await stop(stack);
    process.exit(code);
  })());

async function main(): Promise<void> {
  await ensureExampleDeps(log);
  log('starting the local stack (npm start)');
  const s = await spawnUntil(process.execPath, [tsxCli, 'scripts/start.ts'], {
    cwd: root,
    env: process.env,
    ready: (o) => /ready in/.test(o),
    timeoutMs: 120_000,
    echo: (chunk) => process.stdout.write(chunk),
  });
  stack = s.child;
  stack.once('exit', () => void shutdown(1));

  // The embedded database's URL (with DATABASE_URL set, the app inherits it and the printed one is masked).
  const dbUrl = process.env.DATABASE_URL ? undefined : /DB URL: +(\S+)/.exec(s.output())?.[1];
  log(`starting the NextJS example (next dev) on 127.0.0.1:${port}`);
  const a = await spawnUntil(process.execPath, [nextCli, 'dev', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: exampleDir,
    env: {
      ...process.env,
      SUPABASE_URL: `http://127.0.0.1:${config.apiPort}`,
      ...(dbUrl ? { DATABASE_URL: dbUrl } : {}),
      SUPABASE_JWT_SECRET: config.jwtSecret,
      NEXT_TELEMETRY_DISABLED: '1',
    },
    ready: (o) => /Ready in|Local:/.test(o),
    timeoutMs: 120_000,
  });
  app = a.child;
  app.stdout!.on('data', (d: Buffer) => process.stdout.write(d.toString().replace(/^/gm, '[next] ')));
  app.once('exit', () => void shutdown(1));
  log(`ready: open http://127.0.0.1:${port} (Ctrl-C stops the example and the stack)`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));

main().catch((e: unknown) => {
  console.error(`[example] ${e instanceof Error ? e.message : String(e)}`);
  void shutdown(1);
});
