/**
 * The edge functions, served for a suite through the entry `npm start` and
 * `npm run functions:serve` use (Deno, only the variables hosted Supabase
 * provides), on a free port, with keys of their own, against the test
 * database through PgBouncer in pool_mode = transaction, as hosted functions
 * reach the database.
 */
import net from 'node:net';
import { serveFunctions } from '../../scripts/lib/functions.ts';
import { generateLocalKeys, hostedFunctionEnv } from '../../scripts/lib/keys.ts';
import { userJwt } from '../../scripts/lib/jwt.ts';
import { poolerUrl } from './pool.ts';

/** This test process's project keys (signing key, sb_ keys, legacy keys). */
export const KEYS = generateLocalKeys();

/** A session for a user, signed ES256 with KEYS' signing key. */
export const sessionFor = (userId: string, opts: { ttlSeconds?: number } = {}) => userJwt(userId, KEYS.signingKey, opts);

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

/**
 * Starts the functions with the hosted variables for KEYS; `overrides` adds
 * variables, or removes one when its value is null. SUPABASE_URL is unset
 * unless given (no Auth server to fetch a JWKS from).
 */
export async function startEdgeRuntime(overrides: Record<string, string | null> = {}): Promise<EdgeRuntime> {
  const port = await freePort();
  const vars: Record<string, string> = hostedFunctionEnv(KEYS, { supabaseUrl: '', dbUrl: poolerUrl() });
  delete vars.SUPABASE_URL;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === null) delete vars[k];
    else vars[k] = v;
  }
  let output = '';
  const fns = await serveFunctions(vars, port, { onOutput: (text) => (output += text) });
  return { url: fns.url, stop: fns.stop, output: () => output };
}
