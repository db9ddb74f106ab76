/**
 * Local edge runtime: serves every function of supabase/functions on
 * 127.0.0.1:EDGE_RUNTIME_PORT at /functions/v1/<name> (and /<name>), the
 * shapes Supabase's local gateway and hosted edge runtime use. `npm start`
 * runs it with Deno and proxies 127.0.0.1:54321/functions/v1/* to it.
 * In production each function's index.ts calls Deno.serve itself.
 */
import { handler as createProject } from '../create-project/handler.ts';
import { handler as buildStatus } from '../build-status/handler.ts';
import { handler as completeBuild } from '../complete-build/handler.ts';
import { handler as startBuild } from '../start-build/handler.ts';
import { handler as getOrCreateClient } from '../get-or-create-client/handler.ts';
import { handler as projectFeed } from '../project-feed/handler.ts';

const functions: Record<string, (req: Request) => Promise<Response>> = {
  'create-project': createProject,
  'build-status': buildStatus,
  'complete-build': completeBuild,
  'start-build': startBuild,
  'get-or-create-client': getOrCreateClient,
  'project-feed': projectFeed,
};

const port = Number(Deno.env.get('EDGE_RUNTIME_PORT') ?? '54331');

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
