/**
 * The demo session: a JWT (role authenticated) in an httpOnly cookie, signed
 * ES256 with the local stack's signing key by a dev-only route. With Supabase Auth,
 * @supabase/ssr keeps the real session in cookies instead; everything after
 * "who is the user and what is their token" is the same.
 */
import 'server-only';
import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey } from 'node:crypto';
import { cookies } from 'next/headers';
import { config } from './config';

export const SESSION_COOKIE = 'demo_session';

export interface Session {
  userId: string;
  email: string;
  /** The access token the browser sends to the edge functions. */
  token: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');

function signingKey(): JsonWebKey & { kid?: string } {
  if (!config.signingKey) throw new Error('LOCAL_SIGNING_KEY is not set: start the example with `npm run example`');
  return JSON.parse(config.signingKey) as JsonWebKey & { kid?: string };
}

/** A session token (ES256, with the key's kid), as Supabase Auth signs them with signing keys. */
export function signSession(userId: string, email: string, ttlSeconds = 8 * 3600): string {
  const key = signingKey();
  const now = Math.floor(Date.now() / 1000);
  const head = b64(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: key.kid }));
  const body = b64(JSON.stringify({ sub: userId, email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + ttlSeconds }));
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), { key: createPrivateKey({ key, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
  return `${head}.${body}.${sig.toString('base64url')}`;
}

export function verifySession(token: string | undefined): Session | null {
  const [head, body, sig] = (token ?? '').split('.');
  if (!head || !body || !sig || !config.signingKey) return null;
  const { d: _private, ...publicJwk } = signingKey();
  const ok = verify('sha256', Buffer.from(`${head}.${body}`), { key: createPublicKey({ key: publicJwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
  if (!ok) return null;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub?: string; email?: string; exp?: number; role?: string };
  if (claims.role !== 'authenticated' || !claims.sub || typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return null;
  return { userId: claims.sub, email: claims.email ?? '', token: token! };
}

export async function getSession(): Promise<Session | null> {
  return verifySession((await cookies()).get(SESSION_COOKIE)?.value);
}
