/**
 * The edge functions, served for a suite by the same local runtime `npm start`
 * uses (Deno, supabase/functions/_local/serve.ts), on a free port, against the
 * test database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { databaseUrl } from './db.ts';

export const JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface EdgeRuntime {
  url: string;
  /** Everything the runtime printed so far (stdout and stderr): the functions' logs. */
  output(): string;
  stop(): Promise<void>;
}

export async function startEdgeRuntime(extraEnv: Record<string, string> = {}): Promise<EdgeRuntime> {
  const port = await freePort();
  const root = path.resolve(import.meta.dirname, '..', '..');
  const child: ChildProcess = spawn(
    path.join(root, 'node_modules', '.bin', 'deno'),
    ['run', '--quiet', '--config', 'supabase/functions/deno.json', '--allow-net=127.0.0.1,localhost', '--allow-env', '--allow-read', 'supabase/functions/_local/serve.ts'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SUPABASE_DB_URL: databaseUrl(), SUPABASE_JWT_SECRET: JWT_SECRET, EDGE_RUNTIME_PORT: String(port), NO_COLOR: '1', ...extraEnv },
    },
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
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
