/**
 * The edge functions, served for a suite by the same local runtime `npm start`
 * uses (Deno, supabase/functions/_local/serve.ts), on a free port, against the
 * test database.
 */
import net from 'node:net';
import { startEdgeRuntime as startScriptsEdgeRuntime, type EdgeRuntime } from '../../scripts/lib/edge-runtime.ts';
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

export type { EdgeRuntime };

export function startEdgeRuntime(extraEnv: Record<string, string> = {}): Promise<EdgeRuntime> {
  return startScriptsEdgeRuntime({ SUPABASE_DB_URL: databaseUrl(), SUPABASE_JWT_SECRET: JWT_SECRET, ...extraEnv });
}
