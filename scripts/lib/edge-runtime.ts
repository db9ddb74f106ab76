/**
 * The local edge runtime (Deno serving supabase/functions/_local/serve.ts) on
 * a free loopback port, for suites and the bench; `npm start` runs its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './cluster.ts';
import { root } from './config.ts';

export interface EdgeRuntime {
  url: string;
  /** The Deno process (for the bench's CPU accounting). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts the runtime with `env` (SUPABASE_DB_URL, SUPABASE_JWT_SECRET, ...); resolves once it listens. */
export async function startEdgeRuntime(env: Record<string, string>): Promise<EdgeRuntime> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(root, 'node_modules', '.bin', 'deno'),
    ['run', '--quiet', '--config', 'supabase/functions/deno.json', '--allow-net=127.0.0.1,localhost', '--allow-env', '--allow-read', 'supabase/functions/_local/serve.ts'],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, EDGE_RUNTIME_PORT: String(port), NO_COLOR: '1', ...env } },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`deno did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d;
      if (output.includes('edge runtime listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (output += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`deno exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
