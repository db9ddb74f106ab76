/**
 * LOCAL DEVELOPMENT ONLY: the "Simulate worker" control. Completes the signed-in
 * user's current build through the complete-build edge function, as the worker
 * would, with the secret key (which never reaches the browser). 404 in production.
 */
import { toProjectsError } from '@projects-core/sdk';
import { config } from '@/lib/config';
import { apiFor } from '@/lib/db';
import { getSession } from '@/lib/session';

export async function POST(req: Request) {
  if (!config.devTools) return new Response(null, { status: 404 });
  const session = await getSession();
  if (!session) return Response.json({ error: 'sign in first', code: 'unauthorized' }, { status: 401 });
  try {
    const { buildId, outcome } = (await req.json()) as { buildId: string; outcome: 'completed' | 'failed' };
    await apiFor(session.userId).getBuildStatus(buildId); // only the owner's builds (NotFoundError otherwise)
    const res = await fetch(`${config.supabaseUrl}/functions/v1/complete-build`, {
      method: 'POST',
      headers: { apikey: config.secretKey ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({
        buildId,
        status: outcome,
        errorMessage: outcome === 'failed' ? 'simulated failure: the build step exited with code 1' : undefined,
      }),
    });
    return new Response(res.body, { status: res.status, headers: { 'content-type': 'application/json' } });
  } catch (e) {
    const err = toProjectsError(e);
    return Response.json({ error: err.message, code: err.code, referenceId: err.referenceId }, { status: err.httpStatus });
  }
}
