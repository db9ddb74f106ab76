/**
 * Who is calling, established the ways hosted Supabase issues credentials, and
 * nothing else. Signatures and claims are checked by jose (npm:jose, pinned in
 * deno.json), never by hand; no secret is built in.
 *
 * Why jose and not @supabase/server: @supabase/server (which is built on jose)
 * is the official wrapper, but its 'user' mode accepts a token without `exp`
 * (jose checks `exp` only when present unless told to require it), checks
 * `aud` only when configured, has no mode for the legacy service_role key, and
 * hands out supabase-js clients where these functions talk to PostgreSQL with
 * postgres.js. jose runs unchanged on the local Deno and on hosted Supabase's
 * edge runtime through an `npm:` specifier, and every rule below is one option
 * or one line here.
 *
 * Credentials, in order:
 * - a secret key `sb_secret_...` (header `apikey`, or `Authorization: Bearer`):
 *   service_role when it equals, compared in constant time, one of the values
 *   of SUPABASE_SECRET_KEYS; any other `sb_secret_` value is refused;
 * - the legacy service_role key (a JWT) equal, in constant time, to
 *   SUPABASE_SERVICE_ROLE_KEY: service_role; the legacy anon key equal to
 *   SUPABASE_ANON_KEY, or a publishable key: anon;
 * - a user session `Authorization: Bearer <access token>`: ES256 or RS256
 *   signed by a key of SUPABASE_JWKS, else of <SUPABASE_URL>/auth/v1/.well-known/jwks.json
 *   (fetched, cached, refetched on an unknown `kid` at most every
 *   JWKS_COOLDOWN_MS; a failed fetch is not remembered); `aud` must be
 *   authenticated, `exp` must be a number in the future, `nbf` is enforced;
 * - HS256 only when LEGACY_JWT_SECRET is set (a project still on the legacy
 *   JWT secret; hosted Supabase refuses secret names starting SUPABASE_).
 *   A legacy HS256 token with role service_role verified this way is the
 *   legacy service_role key. Tokens from the JWKS are user sessions only:
 *   they never become service_role.
 * Every malformed or unverifiable credential is 401; an unreachable JWKS is 503.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWK,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { HttpError } from './http.ts';

export interface Claims {
  role: 'anon' | 'authenticated' | 'service_role';
  sub?: string;
  email?: string;
  [claim: string]: unknown;
}

/** The verified caller: its claims and a stable key per caller (user id, or which key). */
export interface Identity {
  claims: Claims;
  callerKey: string;
}

type Env = (name: string) => string | undefined;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ASYMMETRIC = ['ES256', 'RS256'];
const encoder = new TextEncoder();

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/** Equality that takes the same time wherever the strings differ (both are hashed to 32 bytes first). */
async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([a, b].map((s) => crypto.subtle.digest('SHA-256', encoder.encode(s))));
  const u = new Uint8Array(x!);
  const v = new Uint8Array(y!);
  let diff = a.length === b.length ? 0 : 1;
  for (let i = 0; i < u.length; i++) diff |= u[i]! ^ v[i]!;
  return diff === 0;
}

async function matchesAny(value: string, candidates: string[]): Promise<boolean> {
  let found = false;
  for (const c of candidates) if (await constantTimeEqual(value, c)) found = true;
  return found;
}

/** The values of a JSON object of named keys ({"default":"sb_secret_..."}); a bad value configures nothing. */
function namedKeys(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.values(parsed).filter((v): v is string => typeof v === 'string' && v.length > 0);
    }
  } catch {
    // fall through
  }
  console.error('a SUPABASE_*_KEYS variable is not a JSON object of named keys: no key of it is accepted');
  return [];
}

/** Thrown when the JWKS endpoint cannot be read: the caller is not at fault, so 503. */
class JwksUnavailable extends Error {}

const JWKS_COOLDOWN_MS = 5_000;

/** The signing keys: SUPABASE_JWKS, then (unknown kid, or no inline set) the Auth JWKS endpoint. */
function keyResolver(env: Env): JWTVerifyGetKey | null {
  let inline: JWTVerifyGetKey | null = null;
  const raw = env('SUPABASE_JWKS');
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as { keys?: JWK[] } | JWK[];
      inline = createLocalJWKSet({ keys: Array.isArray(parsed) ? parsed : (parsed.keys ?? []) });
    } catch {
      console.error('SUPABASE_JWKS is not a JSON Web Key Set: its keys are not used');
    }
  }
  const base = env('SUPABASE_URL');
  const remote = base
    ? createRemoteJWKSet(new URL('/auth/v1/.well-known/jwks.json', base), {
        cooldownDuration: Number(env('JWKS_COOLDOWN_MS') ?? JWKS_COOLDOWN_MS),
        cacheMaxAge: 600_000,
        timeoutDuration: 3_000,
      })
    : null;
  if (!inline && !remote) return null;
  return async (header, token) => {
    if (inline) {
      try {
        return await inline(header, token);
      } catch (e) {
        if (!remote || !(e instanceof errors.JWKSNoMatchingKey)) throw e;
      }
    }
    try {
      return await remote!(header, token);
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys || e instanceof errors.JOSENotSupported) throw e;
      throw new JwksUnavailable(e instanceof Error ? e.message : String(e));
    }
  };
}

/** What a jose failure tells the caller (never the token itself). */
function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'the token has expired: sign in again (or refresh the session)';
  if (e instanceof errors.JWTClaimValidationFailed) return `the token's "${e.claim}" claim is ${e.reason === 'missing' ? 'missing' : 'not acceptable'}`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (e instanceof errors.JWKSNoMatchingKey) return "the token is signed with a key this project does not publish (unknown kid)";
  if (e instanceof errors.JOSEAlgNotAllowed || e instanceof errors.JOSENotSupported) return 'the token algorithm is not accepted';
  return 'malformed token';
}

export interface Authenticator {
  (req: Request): Promise<Identity>;
}

/** Builds the authenticator from the environment (read once per instance, as hosted functions are configured). */
export function createAuthenticator(env: Env): Authenticator {
  const secretKeys = namedKeys(env('SUPABASE_SECRET_KEYS'));
  const publishableKeys = namedKeys(env('SUPABASE_PUBLISHABLE_KEYS'));
  const legacyService = env('SUPABASE_SERVICE_ROLE_KEY');
  const legacyAnon = env('SUPABASE_ANON_KEY');
  const legacySecret = env('LEGACY_JWT_SECRET');
  const hmac = legacySecret ? encoder.encode(legacySecret) : null;
  const keys = keyResolver(env);

  async function verifyJwt(token: string): Promise<Identity> {
    let alg: string | undefined;
    let unverified: JWTPayload;
    try {
      alg = decodeProtectedHeader(token).alg;
      unverified = decodeJwt(token);
    } catch {
      throw unauthorized('malformed token');
    }
    let payload: JWTPayload;
    try {
      if (alg === 'HS256') {
        if (!hmac) throw unauthorized('HS256 tokens are accepted only when LEGACY_JWT_SECRET is configured; use a session signed with the project\'s signing keys');
        const audience = unverified.role === 'authenticated' ? 'authenticated' : undefined;
        ({ payload } = await jwtVerify(token, hmac, { algorithms: ['HS256'], requiredClaims: ['exp'], audience }));
      } else {
        if (!alg || !ASYMMETRIC.includes(alg)) throw unauthorized('the token algorithm is not accepted');
        if (!keys) throw unauthorized('no signing keys are configured (SUPABASE_JWKS or SUPABASE_URL)');
        ({ payload } = await jwtVerify(token, keys, { algorithms: ASYMMETRIC, requiredClaims: ['exp'], audience: 'authenticated' }));
        if (payload.role !== 'authenticated') throw unauthorized('a token signed with the project\'s signing keys must be a user session (role authenticated)');
      }
    } catch (e) {
      if (e instanceof HttpError) throw e;
      if (e instanceof JwksUnavailable) {
        console.error(`JWKS unavailable: ${e.message}`);
        throw new HttpError(503, 'auth_unavailable', 'the signing keys could not be fetched; retry shortly', { 'retry-after': '1' });
      }
      throw unauthorized(describe(e));
    }
    const claims = payload as Claims;
    if (!['anon', 'authenticated', 'service_role'].includes(claims.role)) throw unauthorized('token has no known role');
    if (claims.role === 'authenticated') {
      if (!(typeof claims.sub === 'string' && UUID.test(claims.sub))) throw unauthorized('token has no user id');
      return { claims, callerKey: `user:${claims.sub}` };
    }
    return { claims: { role: claims.role, exp: claims.exp }, callerKey: `legacy-jwt:${claims.role}` };
  }

  // Verified sessions, by token, for at most a minute and never past their exp: a client
  // repeating its token (a flood, a poller) costs a map lookup, not a signature check.
  const verified = new Map<string, { identity: Identity; until: number }>();
  async function verifyCached(token: string): Promise<Identity> {
    const hit = verified.get(token);
    if (hit && hit.until > Date.now()) return hit.identity;
    if (hit) verified.delete(token);
    const identity = await verifyJwt(token);
    const exp = Number(identity.claims.exp ?? 0) * 1000;
    if (verified.size >= 10_000) verified.delete(verified.keys().next().value!);
    verified.set(token, { identity, until: Math.min(exp, Date.now() + 60_000) });
    return identity;
  }

  async function asKey(key: string): Promise<Identity | null> {
    if (key.startsWith('sb_secret_')) {
      if (!(await matchesAny(key, secretKeys))) throw unauthorized('unknown secret key');
      return { claims: { role: 'service_role' }, callerKey: `secret:${secretKeys.indexOf(key)}` };
    }
    if (key.startsWith('sb_publishable_')) {
      if (!(await matchesAny(key, publishableKeys))) throw unauthorized('unknown publishable key');
      return { claims: { role: 'anon' }, callerKey: 'anon' };
    }
    if (legacyService && (await constantTimeEqual(key, legacyService))) return { claims: { role: 'service_role' }, callerKey: 'legacy-service-role' };
    if (legacyAnon && (await constantTimeEqual(key, legacyAnon))) return { claims: { role: 'anon' }, callerKey: 'anon' };
    return null;
  }

  return async (req) => {
    const header = req.headers.get('authorization');
    const apikey = req.headers.get('apikey')?.trim() || undefined;
    let bearer: string | undefined;
    if (header !== null) {
      const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
      if (!match) throw unauthorized('send Authorization: Bearer <access token>');
      bearer = match[1]!;
    }
    if (bearer) return (await asKey(bearer)) ?? (await verifyCached(bearer));
    if (apikey) {
      const id = await asKey(apikey);
      if (id) return id;
      throw unauthorized('the apikey header holds no key of this project');
    }
    throw unauthorized('send Authorization: Bearer <user access token>, or apikey: <secret key> for a worker');
  };
}
