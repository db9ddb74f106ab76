/**
 * How the edge functions authenticate, served as hosted Supabase runs them
 * (only the hosted variables). Each rule has a case that passes only with it:
 * no built-in secret, HS256 only with a configured legacy secret, numeric exp,
 * nbf, aud, the algorithm allow-list, malformed credentials as 401, the JWKS
 * refetched on an unknown kid (rate-limited) and never remembered as failed,
 * the service credentials hosted Supabase issues, and user sessions that
 * never become service_role.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLocalKeys } from '../../scripts/lib/keys.ts';
import { LOCAL_JWT_SECRET } from '../../scripts/lib/config.ts';
import { legacyUserJwt, signEs256, signJwt } from '../../scripts/lib/jwt.ts';
import { connect, createUser, type Sql } from '../helpers/db.ts';
import { KEYS, sessionFor, startEdgeRuntime, type EdgeRuntime } from '../helpers/edge.ts';

const LEGACY_SECRET = 'a-legacy-project-jwt-secret-of-40-characters';
const now = () => Math.floor(Date.now() / 1000);
let calls = 0;

let hosted: EdgeRuntime;
let legacy: EdgeRuntime;
let sql: Sql;
let alice: string;

beforeAll(async () => {
  sql = connect(2);
  [hosted, legacy] = await Promise.all([startEdgeRuntime(), startEdgeRuntime({ LEGACY_JWT_SECRET: LEGACY_SECRET })]);
  alice = await createUser(sql);
}, 90_000);
afterAll(async () => {
  await Promise.all([hosted?.stop(), legacy?.stop()]);
  await sql?.end();
});

function call(edge: EdgeRuntime, name: string, headers: Record<string, string>, body: unknown = { name: `auth test ${++calls}` }) {
  return fetch(`${edge.url}/functions/v1/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const userClaims = (extra: Record<string, unknown> = {}) => ({ sub: alice, role: 'authenticated', aud: 'authenticated', exp: now() + 600, ...extra });

/** A build to complete (a fresh project of alice). */
async function newBuild(): Promise<string> {
  const res = await call(hosted, 'create-project', bearer(sessionFor(alice)));
  expect(res.status).toBe(201);
  return ((await res.json()) as { buildId: string }).buildId;
}

async function expect401(edge: EdgeRuntime, name: string, headers: Record<string, string>, label: string) {
  const res = await call(edge, name, headers);
  expect(res.status, label).toBe(401);
  expect(await res.json(), label).toMatchObject({ code: 'unauthorized', error: expect.any(String), referenceId: expect.any(String) });
}

describe('user sessions', () => {
  it('accepts an ES256 session signed with a key of SUPABASE_JWKS (201)', async () => {
    expect((await call(hosted, 'create-project', bearer(sessionFor(alice)))).status).toBe(201);
  });

  it('refuses tokens forged with the Supabase CLI\'s public local secret when no legacy secret is configured', async () => {
    await expect401(hosted, 'create-project', bearer(signJwt(userClaims(), LOCAL_JWT_SECRET)), 'forged user session');
    await expect401(hosted, 'complete-build', bearer(signJwt({ role: 'service_role', exp: now() + 600 }, LOCAL_JWT_SECRET)), 'forged service_role');
  });

  it('refuses a session without exp, with a string exp, not yet valid (nbf), for another audience, or expired', async () => {
    const { exp: _exp, ...noExp } = userClaims();
    const cases: [string, Record<string, unknown>][] = [
      ['no exp', noExp],
      ['string exp', userClaims({ exp: String(now() + 600) })],
      ['future nbf', userClaims({ nbf: now() + 600 })],
      ['aud of another service', userClaims({ aud: 'realtime' })],
      ['no aud', userClaims({ aud: undefined })],
      ['expired', userClaims({ exp: now() - 5 })],
      ['role service_role from the signing keys', { role: 'service_role', aud: 'authenticated', exp: now() + 600 }],
    ];
    for (const [label, claims] of cases) await expect401(hosted, 'create-project', bearer(signEs256(claims, KEYS.signingKey)), label);
  });

  it('refuses alg none, a foreign key, a malformed signature and garbage with 401, never 500', async () => {
    const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const good = sessionFor(alice);
    const [h, p] = good.split('.');
    const cases: [string, string][] = [
      ['alg none', `${part({ alg: 'none', typ: 'JWT' })}.${part(userClaims())}.`],
      ['alg none with the kid', `${part({ alg: 'none', typ: 'JWT', kid: KEYS.signingKey.kid })}.${part(userClaims())}.`],
      ['signed by another key with the same kid', signEs256(userClaims(), generateLocalKeys().signingKey, KEYS.signingKey.kid)],
      ['signature of length 1 mod 4', `${h}.${p}.AAAAA`],
      ['signature with a bad character', `${h}.${p}.A*AA`],
      ['two segments', `${h}.${p}`],
      ['header not JSON', `bm90IGpzb24.${p}.AAAA`],
      ['HS384', signJwt(userClaims(), LOCAL_JWT_SECRET).replace(/^[^.]+/, part({ alg: 'HS384', typ: 'JWT' }))],
    ];
    for (const [label, token] of cases) await expect401(hosted, 'create-project', bearer(token), label);
    await expect401(hosted, 'create-project', { authorization: 'Basic dXNlcjpwYXNz' }, 'Basic auth');
    await expect401(hosted, 'create-project', { apikey: 'sb_secret_not-this-project' }, 'unknown secret key');
    await expect401(hosted, 'create-project', { apikey: 'anything-else' }, 'unknown apikey');
  });

  it('accepts HS256 only with LEGACY_JWT_SECRET configured, and then only with that secret', async () => {
    await expect401(hosted, 'create-project', bearer(legacyUserJwt(alice, LEGACY_SECRET)), 'HS256 without a configured legacy secret');
    expect((await call(legacy, 'create-project', bearer(legacyUserJwt(alice, LEGACY_SECRET)))).status).toBe(201);
    await expect401(legacy, 'create-project', bearer(legacyUserJwt(alice, LOCAL_JWT_SECRET)), 'HS256 with the public local secret');
    const { exp: _exp, ...noExp } = userClaims();
    await expect401(legacy, 'create-project', bearer(signJwt(noExp, LEGACY_SECRET)), 'legacy session without exp');
    await expect401(legacy, 'create-project', bearer(signJwt(userClaims({ aud: 'other' }), LEGACY_SECRET)), 'legacy session for another audience');
  });
});

describe('service callers', () => {
  it('the secret key (apikey or bearer) and the legacy service_role key act as service_role', async () => {
    for (const [label, headers] of [
      ['apikey: sb_secret_', { apikey: KEYS.secretKey }],
      ['Bearer sb_secret_', bearer(KEYS.secretKey)],
      ['legacy service_role key', bearer(KEYS.serviceRoleKey)],
    ] as const) {
      const res = await call(hosted, 'complete-build', headers, { buildId: await newBuild(), status: 'completed' });
      expect(res.status, label).toBe(200);
    }
  });

  it('a legacy service_role JWT verifies with LEGACY_JWT_SECRET, not without it', async () => {
    const key = signJwt({ role: 'service_role', exp: now() + 600 }, LEGACY_SECRET);
    expect((await call(legacy, 'complete-build', bearer(key), { buildId: await newBuild(), status: 'completed' })).status).toBe(200);
    await expect401(hosted, 'complete-build', bearer(key), 'legacy service_role JWT without the secret configured');
  });

  it('a user session never reaches a service-only function, whatever it claims', async () => {
    const buildId = await newBuild();
    const asUser = await call(hosted, 'complete-build', bearer(sessionFor(alice)), { buildId, status: 'completed' });
    expect(asUser.status).toBe(403);
    const withPublishable = await call(hosted, 'complete-build', { ...bearer(sessionFor(alice)), apikey: KEYS.publishableKey }, { buildId, status: 'completed' });
    expect(withPublishable.status).toBe(403);
    await expect401(hosted, 'complete-build', bearer(signEs256({ sub: alice, role: 'service_role', aud: 'authenticated', exp: now() + 600 }, KEYS.signingKey)), 'session claiming service_role');
    const [row] = await sql`select status from public.project_build_metrics where build_id = ${buildId}`;
    expect(row!.status).toBe('started');
  });
});

/** A JWKS endpoint we control: counts fetches, can be down, can rotate keys. */
function jwksServer() {
  const state = { fetches: 0, down: false, keys: [] as object[] };
  const server: Server = createServer((req, res) => {
    if (req.url !== '/auth/v1/.well-known/jwks.json') return void res.writeHead(404).end();
    state.fetches++;
    if (state.down) return void res.writeHead(503).end('down');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  return {
    state,
    start: () => new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('the JWKS endpoint (no SUPABASE_JWKS)', () => {
  it('refetches on an unknown kid, at most once per cooldown, so a rotated key is accepted', async () => {
    const first = generateLocalKeys();
    const rotated = generateLocalKeys();
    const jwks = jwksServer();
    jwks.state.keys = first.jwks.keys;
    const edge = await startEdgeRuntime({ SUPABASE_JWKS: null, SUPABASE_URL: await jwks.start(), JWKS_COOLDOWN_MS: '500' });
    try {
      const session = (k: typeof first) => bearer(signEs256(userClaims(), k.signingKey));
      expect((await call(edge, 'create-project', session(first))).status).toBe(201);
      expect(jwks.state.fetches).toBe(1);
      // Within the cooldown an unknown kid costs the Auth server nothing.
      await expect401(edge, 'create-project', session(generateLocalKeys()), 'unknown kid within the cooldown');
      expect(jwks.state.fetches).toBe(1);
      // The project rotates its key: the first request after the cooldown refetches, once.
      jwks.state.keys = [...first.jwks.keys, ...rotated.jwks.keys];
      const deadline = Date.now() + 5000;
      let status = 0;
      while (status !== 201 && Date.now() < deadline) status = (await call(edge, 'create-project', session(rotated))).status;
      expect(status).toBe(201);
      expect(jwks.state.fetches).toBe(2);
    } finally {
      await edge.stop();
      await jwks.stop();
    }
  });

  it('answers 503 while the JWKS cannot be fetched, and accepts sessions as soon as it is back', async () => {
    const keys = generateLocalKeys();
    const jwks = jwksServer();
    jwks.state.keys = keys.jwks.keys;
    jwks.state.down = true;
    const edge = await startEdgeRuntime({ SUPABASE_JWKS: null, SUPABASE_URL: await jwks.start() });
    try {
      const headers = bearer(signEs256(userClaims(), keys.signingKey));
      const during = await call(edge, 'create-project', headers);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('1');
      expect(jwks.state.fetches).toBeGreaterThan(0);
      jwks.state.down = false;
      const recovered = Date.now();
      expect((await call(edge, 'create-project', headers)).status).toBe(201);
      expect(Date.now() - recovered).toBeLessThan(3000);
    } finally {
      await edge.stop();
      await jwks.stop();
    }
  });
});
