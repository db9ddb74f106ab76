/**
 * Verifies the caller's JWT with Web Crypto (Deno and Node alike):
 *
 * - HS256 with SUPABASE_JWT_SECRET: the local stack, and projects on the legacy JWT secret;
 * - ES256 or RS256 with the project's JWT signing keys (Supabase's asymmetric keys), taken from
 *   SUPABASE_JWKS (a JWKS document, JSON) or fetched from
 *   <SUPABASE_URL>/auth/v1/.well-known/jwks.json and cached for ten minutes.
 *
 * Then the claims a function relies on: expiry, a known role, and a user id for role authenticated.
 */
import { HttpError } from './http.ts';

export interface Claims {
  role: 'anon' | 'authenticated' | 'service_role';
  sub?: string;
  email?: string;
  exp?: number;
  [claim: string]: unknown;
}

export interface VerifyOptions {
  /** The HS256 secret (SUPABASE_JWT_SECRET). */
  secret: string;
  /** Where the public signing keys come from (see loadJwks). */
  jwks?: () => Promise<JsonWebKey[]>;
  now?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    hmacKeys.set(secret, key);
  }
  return key;
}

const ASYMMETRIC = {
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, verify: { name: 'ECDSA', hash: 'SHA-256' } },
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verify: { name: 'RSASSA-PKCS1-v1_5' } },
} as const;

let jwksCache: { at: number; keys: Promise<JsonWebKey[]> } | undefined;

/** The project's public signing keys: SUPABASE_JWKS, else the Auth server's JWKS endpoint (cached 10 min). */
export function loadJwks(env: (name: string) => string | undefined): () => Promise<JsonWebKey[]> {
  return () => {
    const inline = env('SUPABASE_JWKS');
    if (inline) return Promise.resolve((JSON.parse(inline) as { keys: JsonWebKey[] }).keys ?? []);
    const base = env('SUPABASE_URL');
    if (!base) return Promise.resolve([]);
    if (!jwksCache || Date.now() - jwksCache.at > 600_000) {
      const keys = fetch(`${base}/auth/v1/.well-known/jwks.json`)
        .then((r) => (r.ok ? (r.json() as Promise<{ keys?: JsonWebKey[] }>) : { keys: [] }))
        .then((d) => d.keys ?? [])
        .catch(() => [] as JsonWebKey[]);
      jwksCache = { at: Date.now(), keys };
    }
    return jwksCache.keys;
  };
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

async function signatureValid(head: { alg?: string; kid?: string }, signed: Uint8Array<ArrayBuffer>, sig: Uint8Array<ArrayBuffer>, opts: VerifyOptions): Promise<boolean> {
  if (head.alg === 'HS256') return crypto.subtle.verify('HMAC', await hmacKey(opts.secret), sig, signed);
  const algo = head.alg === 'ES256' || head.alg === 'RS256' ? ASYMMETRIC[head.alg] : undefined;
  if (!algo) throw unauthorized(`unsupported token algorithm ${String(head.alg)}`);
  const keys = (await opts.jwks?.()) ?? [];
  const jwk = keys.find((k) => (k as { kid?: string }).kid === head.kid && (!k.alg || k.alg === head.alg));
  if (!jwk) throw unauthorized('token signed with an unknown key');
  const key = await crypto.subtle.importKey('jwk', jwk, algo.import, false, ['verify']);
  return crypto.subtle.verify(algo.verify, key, sig, signed);
}

/** The verified claims of `Authorization: Bearer <jwt>`; 401 for anything else. */
export async function verifyRequest(req: Request, opts: VerifyOptions): Promise<Claims> {
  const header = req.headers.get('authorization') ?? '';
  const match = /^Bearer ([^\s]+)$/i.exec(header);
  if (!match) throw unauthorized('send Authorization: Bearer <JWT>');
  const parts = match[1]!.split('.');
  if (parts.length !== 3) throw unauthorized('malformed token');
  const [h, p, s] = parts as [string, string, string];
  let head: { alg?: string; kid?: string };
  let claims: Claims;
  try {
    head = JSON.parse(new TextDecoder().decode(base64UrlDecode(h)));
    claims = JSON.parse(new TextDecoder().decode(base64UrlDecode(p)));
  } catch (e) {
    if (e instanceof HttpError) throw e;
    throw unauthorized('malformed token');
  }
  const signed = new TextEncoder().encode(`${h}.${p}`);
  if (!(await signatureValid(head, signed, base64UrlDecode(s), opts))) throw unauthorized('invalid token signature');
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= (opts.now ?? Date.now())) throw unauthorized('token expired');
  if (!['anon', 'authenticated', 'service_role'].includes(claims.role)) throw unauthorized('token has no known role');
  if (claims.role === 'authenticated' && !(typeof claims.sub === 'string' && UUID.test(claims.sub))) {
    throw unauthorized('token has no user id');
  }
  return claims;
}
