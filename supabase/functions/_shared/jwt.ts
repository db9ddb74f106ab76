/**
 * Verifies the caller's JWT the way the local Supabase gateway does: HS256
 * with SUPABASE_JWT_SECRET (Web Crypto, so it runs in Deno and Node alike).
 *
 * Hosted Supabase projects may sign user sessions with asymmetric keys
 * (ES256/RS256, published at <SUPABASE_URL>/auth/v1/.well-known/jwks.json):
 * keep `verify_jwt = true` for these functions so the platform gateway checks
 * them, or set SUPABASE_JWT_SECRET to the project's legacy JWT secret.
 */
import { HttpError } from './http.ts';

export interface Claims {
  role: 'anon' | 'authenticated' | 'service_role';
  sub?: string;
  email?: string;
  exp?: number;
  [claim: string]: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

function base64UrlDecode(part: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw unauthorized('malformed token');
  const b64 = part.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (part.length % 4)) % 4);
  const bin = atob(b64);
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function unauthorized(message: string) {
  return new HttpError(401, 'unauthorized', message);
}

/** The verified claims of `Authorization: Bearer <jwt>`; 401 for anything else. */
export async function verifyRequest(req: Request, secret: string, now = Date.now()): Promise<Claims> {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer ([^\s]+)$/i.exec(header);
  if (!match) throw unauthorized('send Authorization: Bearer <JWT>');
  const parts = match[1]!.split('.');
  if (parts.length !== 3) throw unauthorized('malformed token');
  const [h, p, s] = parts as [string, string, string];
  let head: { alg?: string };
  let claims: Claims;
  try {
    head = JSON.parse(new TextDecoder().decode(base64UrlDecode(h)));
    claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(p)));
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw unauthorized('malformed token');
  }
  if (head.alg !== 'HS256') throw unauthorized(`unsupported token algorithm ${String(head.alg)}`);
  const ok = await crypto.subtle.verify(
    'HMAC',
    await hmacKey(secret),
    base64UrlDecode(s),
    new TextEncoder().encode(`${h}.${p}`),
  );
  if (!ok) throw unauthorized('invalid token signature');
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= now) throw unauthorized('token expired');
  if (!['anon', 'authenticated', 'service_role'].includes(claims.role)) throw unauthorized('token has no known role');
  if (claims.role === 'authenticated' && !(typeof claims.sub === 'string' && UUID.test(claims.sub))) {
    throw unauthorized('token has no user id');
  }
  return claims;
}
