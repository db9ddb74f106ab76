/**
 * Configuration for the local stack, read from the environment (and `.env`
 * when present). Every variable is documented in `.env.example`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

if (existsSync(path.join(root, '.env'))) process.loadEnvFile(path.join(root, '.env'));

const env = (name: string) => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
};

/** The Supabase CLI's well-known local JWT secret (never use it in production). */
export const LOCAL_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

export const config = {
  /** An external database (a Supabase database, local or hosted); unset means the embedded one. */
  databaseUrl: env('DATABASE_URL'),
  dbPort: Number(env('DB_PORT') ?? 54322),
  dbDataDir: path.resolve(root, env('DB_DATA_DIR') ?? '.data/postgres'),
  apiPort: Number(env('API_PORT') ?? 54321),
  jwtSecret: env('SUPABASE_JWT_SECRET') ?? LOCAL_JWT_SECRET,
  migrationsDir: path.join(root, 'sql', 'migrations'),
  bootstrapFile: path.join(root, 'sql', 'bootstrap', 'supabase_compat.sql'),
  schemaFile: path.join(root, 'sql', 'schema.sql'),
};
