/**
 * Local JWTs, signed with SUPABASE_JWT_SECRET (HS256) the way the Supabase CLI
 * signs its local keys. With the CLI's well-known local secret, anonKey() and
 * serviceRoleKey() are byte-for-byte the keys `supabase start` prints.
 * For local development only: never sign production tokens with these.
 */
import { createHmac } from 'node:crypto';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** The Supabase CLI's local keys expire in 2032 (exp 1983812996). */
const LOCAL_KEY_EXP = 1983812996;

export const anonKey = (secret: string) => signJwt({ iss: 'supabase-demo', role: 'anon', exp: LOCAL_KEY_EXP }, secret);
export const serviceRoleKey = (secret: string) =>
  signJwt({ iss: 'supabase-demo', role: 'service_role', exp: LOCAL_KEY_EXP }, secret);

/** A user's session token (role authenticated), as Supabase Auth would issue it. */
export function userJwt(userId: string, secret: string, opts: { email?: string; ttlSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    {
      iss: 'supabase-demo',
      aud: 'authenticated',
      role: 'authenticated',
      sub: userId,
      email: opts.email,
      iat: now,
      exp: now + (opts.ttlSeconds ?? 3600),
    },
    secret,
  );
}
