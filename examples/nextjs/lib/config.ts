/**
 * Server-side configuration. Defaults are the local stack of `npm start`
 * (`npm run example` passes its URL and keys): never deploy them.
 */
import 'server-only';

const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

export const config = {
  /** Where the browser reaches the edge functions (npm start's gateway). */
  supabaseUrl: process.env.SUPABASE_URL ?? 'http://127.0.0.1:54321',
  anonKey: process.env.SUPABASE_ANON_KEY ?? LOCAL_ANON_KEY,
  /**
   * The local stack's private signing key (a JWK, ES256), which signs the demo session as
   * Supabase Auth would (local only: `npm run example` passes it; Supabase Auth issues real sessions).
   */
  signingKey: process.env.LOCAL_SIGNING_KEY,
  /** The secret key (sb_secret_...) the dev-only worker simulator calls complete-build with. */
  secretKey: process.env.SUPABASE_SECRET_KEY,
  /** The database the route handlers reach with the SDK's postgres.js transport. */
  databaseUrl: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
  /** The demo sign-in and the "Simulate worker" control exist only in development. */
  devTools: process.env.NODE_ENV !== 'production' || process.env.EXAMPLE_DEV_TOOLS === '1',
};
