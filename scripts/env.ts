/**
 * npm run env [-- email]: export lines for the running stack, for a second
 * terminal: eval "$(npm run -s env)". SUPABASE_URL, the publishable, secret,
 * anon and service_role keys, DATABASE_URL, and a user (USER_ID) with a
 * session (USER_TOKEN), from the stack state `npm start` wrote.
 */
import { connectChecked } from './lib/database.ts';
import { devUser } from './lib/dev-user.ts';
import { describeStack, runningStack, stackFileLabel } from './lib/stack.ts';

const email = process.argv[2] ?? 'demo@example.test';
const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

async function main(): Promise<void> {
  const stack = await runningStack();
  if (!stack || stack.owner !== 'start' || !stack.apiUrl) {
    throw new Error(`no running \`npm start\` is recorded in ${stackFileLabel()}: start it first (\`npm start\`, with the same STACK_STATE_FILE if you set one)`);
  }
  const sql = await connectChecked({ url: stack.databaseUrl, origin: describeStack(stack), remedy: 'restart the stack with `npm start`' });
  try {
    const user = await devUser(sql, email);
    const vars: Record<string, string> = {
      SUPABASE_URL: stack.apiUrl,
      SUPABASE_PUBLISHABLE_KEY: stack.publishableKey!,
      SUPABASE_SECRET_KEY: stack.secretKey!,
      SUPABASE_ANON_KEY: stack.anonKey!,
      SUPABASE_SERVICE_ROLE_KEY: stack.serviceRoleKey!,
      DATABASE_URL: stack.databaseUrl,
      USER_ID: user.id,
      USER_TOKEN: user.token,
    };
    console.log(`# ${describeStack(stack)}; user ${email}`);
    for (const [k, v] of Object.entries(vars)) console.log(`export ${k}=${quote(v)}`);
  } finally {
    await sql.end();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
