/**
 * Server-side configuration. Defaults are the local stack of `npm start`
 * (the Supabase CLI's well-known local keys): never deploy them.
 */
import 'server-only';

const LOCAL_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

export const config = {
  /** Where the browser reaches the edge functions (npm start's gateway). */
  supabaseUrl: process.env.SUPABASE_URL ?? 'http://127.0.0.1:54321',
  anonKey: process.env.SUPABASE_ANON_KEY ?? LOCAL_ANON_KEY,
  /** Signs the demo session (local only; Supabase Auth issues real sessions). */
  jwtSecret: process.env.SUPABASE_JWT_SECRET ?? 'super-secret-jwt-token-with-at-least-32-characters-long',
  /** The database the route handlers reach with the SDK's postgres.js transport. */
  databaseUrl: process.env.DATABASE_URL ?? 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
  /** The demo sign-in and the "Simulate worker" control exist only in development. */
  devTools: process.env.NODE_ENV !== 'production' || process.env.EXAMPLE_DEV_TOOLS === '1',
};
