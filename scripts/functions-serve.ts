/**
 * npm run functions:serve -- --env-file <file> --port <port>
 *
 * Serves every function of supabase/functions under /functions/v1/<name> on
 * 127.0.0.1:<port> (default 54331) with Deno, given only the variables hosted
 * Supabase provides (SUPABASE_URL, SUPABASE_DB_URL, SUPABASE_JWKS,
 * SUPABASE_PUBLISHABLE_KEYS, SUPABASE_SECRET_KEYS, SUPABASE_ANON_KEY,
 * SUPABASE_SERVICE_ROLE_KEY) and the optional secrets a deployment may set
 * (LEGACY_JWT_SECRET, EDGE_*). Values may be quoted. Without --env-file it
 * serves against the running stack (the stack state of `npm start`).
 * Ctrl-C stops it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, parseEnv } from 'node:util';
import { checkFunctionEnv, HOSTED_VARIABLES, serveFunctions } from './lib/functions.ts';
import { localKeys, hostedFunctionEnv } from './lib/keys.ts';
import { describeStack, runningStack } from './lib/stack.ts';

const log = (m: string) => console.log(`[functions:serve] ${m}`);

async function variables(envFile: string | undefined): Promise<Record<string, string>> {
  if (envFile) {
    let text: string;
    try {
      text = readFileSync(envFile, 'utf8');
    } catch (e) {
      throw new Error(`--env-file ${envFile}: ${(e as Error).message}; pass a file of KEY=value lines`);
    }
    const vars = Object.fromEntries(Object.entries(parseEnv(text)).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const unknown = checkFunctionEnv(vars);
    if (unknown.length) {
      throw new Error(`--env-file ${envFile}: ${unknown.join(', ')} would not reach a hosted function; keep only ${HOSTED_VARIABLES.join(', ')} and the optional LEGACY_JWT_SECRET, EDGE_*`);
    }
    const missing = (['SUPABASE_DB_URL'] as const).filter((k) => !vars[k]);
    if (missing.length) throw new Error(`--env-file ${envFile}: ${missing.join(', ')} is missing (the database the functions call)`);
    log(`variables: ${Object.keys(vars).join(', ')} (from ${envFile})`);
    return vars;
  }
  const stack = await runningStack();
  if (!stack || stack.owner !== 'start' || !stack.apiUrl) {
    throw new Error('no --env-file given and no running `npm start` recorded in the stack state: start the stack (`npm start`), or pass --env-file <file> with the variables hosted Supabase provides (docs/deploy.md)');
  }
  log(`variables: from ${describeStack(stack)}`);
  return hostedFunctionEnv(localKeys(), { supabaseUrl: stack.apiUrl, dbUrl: stack.databaseUrl });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'env-file': { type: 'string' }, port: { type: 'string', default: '54331' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--port ${values.port}: give a TCP port (1-65535)`);
  const vars = await variables(values['env-file']);
  const fns = await serveFunctions(vars, port, { onOutput: (t) => process.stdout.write(t) });
  log(`serving ${fns.url}/functions/v1/<name> (Ctrl-C stops it)`);
  const stop = () => void fns.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  fns.child.once('exit', (code) => process.exit(code ?? 1));
}

main().catch((e: unknown) => {
  console.error(`[functions:serve] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
