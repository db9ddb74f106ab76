/**
 * The demo session: a JWT (role authenticated) in an httpOnly cookie, signed
 * with the local SUPABASE_JWT_SECRET by a dev-only route. With Supabase Auth,
 * @supabase/ssr keeps the real session in cookies instead; everything after
 * "who is the user and what is their token" is the same.
 */
import 'server-only';
import { createHmac, timingSafeEqual } from 'node:crypto';
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

export function signSession(userId: string, email: string, ttlSeconds = 8 * 3600): string {
  const now = Math.floor(Date.now() / 1000);
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify({ sub: userId, email, role: 'authenticated', aud: 'authenticated', iat: now, exp: now + ttlSeconds }));
  const sig = createHmac('sha256', config.jwtSecret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** The local service_role key (as `npm start` prints it), for the dev-only worker simulator. */
export function signServiceKey(): string {
  const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64(JSON.stringify({ iss: 'supabase-demo', role: 'service_role', exp: 1983812996 }));
  const sig = createHmac('sha256', config.jwtSecret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

export function verifySession(token: string | undefined): Session | null {
  const [head, body, sig] = (token ?? '').split('.');
  if (!head || !body || !sig) return null;
  const expected = createHmac('sha256', config.jwtSecret).update(`${head}.${body}`).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as { sub?: string; email?: string; exp?: number; role?: string };
  if (claims.role !== 'authenticated' || !claims.sub || (claims.exp ?? 0) * 1000 < Date.now()) return null;
  return { userId: claims.sub, email: claims.email ?? '', token: token! };
}

export async function getSession(): Promise<Session | null> {
  return verifySession((await cookies()).get(SESSION_COOKIE)?.value);
}
