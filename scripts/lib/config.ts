/**
 * Configuration for the local stack, read from the environment and `.env`
 * (the environment wins). Every variable is documented in `.env.example`.
 * `sourceOf(name)` says where a value came from, so a failure can name it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const dotenvPath = path.join(root, '.env');
const dotenv: Record<string, string | undefined> = existsSync(dotenvPath) ? parseEnv(readFileSync(dotenvPath, 'utf8')) : {};
const fromEnvironment = new Set(Object.keys(process.env).filter((k) => process.env[k] !== ''));
for (const [k, v] of Object.entries(dotenv)) if (process.env[k] === undefined || process.env[k] === '') process.env[k] = v;

export type Source = 'environment' | '.env' | 'default';

/** Where a setting's value came from: the environment, `.env`, or nowhere (the default). */
export function sourceOf(name: string): Source {
  if (fromEnvironment.has(name)) return 'environment';
  if (dotenv[name] !== undefined && dotenv[name] !== '') return '.env';
  return 'default';
}

/** "DATABASE_URL (from .env)": a setting as a message names it. */
export const setting = (name: string) => `${name} (${sourceOf(name) === 'default' ? 'default' : `from ${sourceOf(name) === '.env' ? '.env' : 'the environment'}`})`;

const env = (name: string) => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

/**
 * The Supabase CLI's well-known local HS256 secret. It signs only the legacy
 * anon / service_role keys of the local stack (what `supabase start` prints for
 * older clients); the functions never verify with it.
 */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export const config = {
  /** An external database (a Supabase database, local or hosted); unset means the running stack or the embedded one. */
  databaseUrl: env('DATABASE_URL'),
  dbPort: Number(env('DB_PORT') ?? 54322),
  dbDataDir: path.resolve(root, env('DB_DATA_DIR') ?? '.data/postgres'),
  apiPort: Number(env('API_PORT') ?? 54321),
  jwtSecret: env('SUPABASE_JWT_SECRET') ?? LOCAL_JWT_SECRET,
  /** Where `npm start` / `db:start` record the running stack (git-ignored). */
  stackFile: path.resolve(root, env('STACK_STATE_FILE') ?? '.data/stack.json'),
  /** The local stack's signing key and API keys (generated once, git-ignored). */
  keysFile: path.resolve(root, env('LOCAL_KEYS_FILE') ?? '.data/local-keys.json'),
  migrationsDir: path.join(root, 'sql', 'migrations'),
  bootstrapFile: path.join(root, 'sql', 'bootstrap', 'supabase_compat.sql'),
  schemaFile: path.join(root, 'sql', 'schema.sql'),
};
