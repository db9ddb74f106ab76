/**
 * Local edge runtime: serves every function of supabase/functions on
 * 127.0.0.1:EDGE_RUNTIME_PORT at /functions/v1/<name> (and /<name>), the
 * shapes Supabase's local gateway and hosted edge runtime use.
 * `npm run functions:serve` and `npm start` run it with Deno (scripts/lib/functions.ts).
 * In production each function's index.ts calls Deno.serve itself.
 */
import { HTTP_FUNCTIONS } from '@projects-core/sdk/functions';

// Every edge function of the registry, from its own directory (as Supabase deploys it).
const functions: Record<string, (req: Request) => Promise<Response>> = Object.fromEntries(
  await Promise.all(HTTP_FUNCTIONS.map(async (name) => [name, (await import(`../${name}/handler.ts`)).handler])),
);

const port = Number(Deno.env.get('EDGE_RUNTIME_PORT') ?? '54331');

// Started by a script with a pipe on stdin: when that script dies, even by SIGKILL, the pipe
// closes and the functions exit with it instead of running on unseen.
if (Deno.env.get('EDGE_EXIT_WITH_PARENT') === '1') {
  void (async () => {
    const buf = new Uint8Array(64);
    while ((await Deno.stdin.read(buf)) !== null);
    Deno.exit(0);
  })();
}

Deno.serve({ hostname: '127.0.0.1', port, onListen: () => console.log(`edge runtime listening on 127.0.0.1:${port}`) }, (req) => {
  const { pathname } = new URL(req.url);
  const name = /^\/(?:functions\/v1\/)?([a-z0-9-]+)\/?$/.exec(pathname)?.[1];
  const fn = name ? functions[name] : undefined;
  if (!fn) {
    return new Response(JSON.stringify({ error: `no function at ${pathname}`, code: 'not_found' }), {
      status: 404,
      headers: { 'content-type': 'application/json' },
    });
  }
  return fn(req);
});
