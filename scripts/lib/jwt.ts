/**
 * Local JWTs. The legacy anon / service_role keys are HS256 with the local
 * stack's secret, byte-for-byte what `supabase start` prints with the CLI's
 * well-known secret. User sessions are ES256, signed with the local signing
 * key and carrying its `kid`, as Supabase Auth signs them on a project with
 * signing keys. For local development and tests only.
 */
import { createHmac, createPrivateKey, sign, type JsonWebKey } from 'node:crypto';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** An HS256 token (the legacy keys, and tests of what must be refused). */
export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(payload));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** An ES256 token signed with a private JWK (its `kid` goes into the header). */
export function signEs256(payload: Record<string, unknown>, key: JsonWebKey & { kid?: string }, kid = key.kid): string {
  const head = b64url(JSON.stringify({ alg: 'ES256', typ: 'JWT', ...(kid ? { kid } : {}) }));
  const body = b64url(JSON.stringify(payload));
  const privateKey = createPrivateKey({ key, format: 'jwk' });
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${head}.${body}.${sig}`;
}

/** The Supabase CLI's local keys expire in 2032 (exp 1983812996). */
const LOCAL_KEY_EXP = 1983812996;

export const anonKey = (secret: string) => signJwt({ iss: 'supabase-demo', role: 'anon', exp: LOCAL_KEY_EXP }, secret);
export const serviceRoleKey = (secret: string) =>
  signJwt({ iss: 'supabase-demo', role: 'service_role', exp: LOCAL_KEY_EXP }, secret);

/** A user's session token (role authenticated, aud authenticated), as Supabase Auth issues it. */
export function userJwt(userId: string, signingKey: JsonWebKey & { kid?: string }, opts: { email?: string; ttlSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signEs256(
    {
      iss: 'supabase-local',
      aud: 'authenticated',
      role: 'authenticated',
      sub: userId,
      email: opts.email,
      iat: now,
      exp: now + (opts.ttlSeconds ?? 3600),
    },
    signingKey,
  );
}

/** A user session signed with a legacy HS256 secret (projects not yet on signing keys; PostgREST tests). */
export function legacyUserJwt(userId: string, secret: string, opts: { ttlSeconds?: number } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt({ aud: 'authenticated', role: 'authenticated', sub: userId, iat: now, exp: now + (opts.ttlSeconds ?? 3600) }, secret);
}
