/**
 * The local stack's credentials, shaped like a hosted project's so the
 * functions run the same code path locally: an ES256 signing key (its public
 * half is the JWKS), a publishable key `sb_publishable_...` and a secret key
 * `sb_secret_...`, plus the legacy anon / service_role JWTs for older clients.
 * Generated once per machine into LOCAL_KEYS_FILE (.data/local-keys.json,
 * git-ignored) so sessions survive restarts. Local development only.
 */
import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { config } from './config.ts';
import { anonKey, serviceRoleKey } from './jwt.ts';

export interface SigningKey extends JsonWebKey {
  kid: string;
  alg: 'ES256';
}

export interface LocalKeys {
  /** The private ES256 key (JWK) that signs user sessions. */
  signingKey: SigningKey;
  /** The public keys, as `/auth/v1/.well-known/jwks.json` and SUPABASE_JWKS give them. */
  jwks: { keys: JsonWebKey[] };
  publishableKey: string;
  secretKey: string;
  /** Legacy HS256 keys (signed with the local stack's own secret). */
  anonKey: string;
  serviceRoleKey: string;
}

/** Fresh keys (tests use these without touching the file). */
export function generateLocalKeys(): LocalKeys {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomBytes(8).toString('hex');
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES256' as const };
  return withDerived({
    signingKey,
    publishableKey: `sb_publishable_${randomBytes(18).toString('base64url')}`,
    secretKey: `sb_secret_${randomBytes(24).toString('base64url')}`,
  });
}

function withDerived(k: Pick<LocalKeys, 'signingKey' | 'publishableKey' | 'secretKey'>): LocalKeys {
  const { d: _private, ...pub } = k.signingKey;
  return {
    ...k,
    jwks: { keys: [{ ...pub, use: 'sig' }] },
    anonKey: anonKey(config.jwtSecret),
    serviceRoleKey: serviceRoleKey(config.jwtSecret),
  };
}

/** The machine's local keys, created on first use. */
export function localKeys(file = config.keysFile): LocalKeys {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Pick<LocalKeys, 'signingKey' | 'publishableKey' | 'secretKey'>;
    return withDerived(stored);
  }
  const keys = generateLocalKeys();
  mkdirSync(path.dirname(file), { recursive: true });
  const { signingKey, publishableKey, secretKey } = keys;
  writeFileSync(file, JSON.stringify({ signingKey, publishableKey, secretKey }, null, 2) + '\n', { mode: 0o600 });
  return keys;
}

/** The variables hosted Supabase gives a function, for these keys. */
export function hostedFunctionEnv(keys: LocalKeys, urls: { supabaseUrl: string; dbUrl: string }): Record<string, string> {
  return {
    SUPABASE_URL: urls.supabaseUrl,
    SUPABASE_DB_URL: urls.dbUrl,
    SUPABASE_JWKS: JSON.stringify(keys.jwks),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.secretKey }),
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: keys.serviceRoleKey,
  };
}
