/**
 * LOCAL DEVELOPMENT ONLY: the "Simulate worker" control. Completes the signed-in
 * user's build as the worker would (the SDK as service_role). 404 in production.
 */
import { toProjectsError } from '@projects-core/sdk';
import { config } from '@/lib/config';
import { apiFor, workerApi } from '@/lib/db';
import { getSession } from '@/lib/session';

export async function POST(req: Request) {
  if (!config.devTools) return new Response(null, { status: 404 });
  const session = await getSession();
  if (!session) return Response.json({ error: 'sign in first', code: 'unauthorized' }, { status: 401 });
  try {
    const { buildId, outcome } = (await req.json()) as { buildId: string; outcome: 'completed' | 'failed' };
    await apiFor(session.userId).getBuildStatus(buildId); // only the owner's builds (NotFoundError otherwise)
    const result = await workerApi().completeBuild({
      buildId,
      status: outcome,
      errorMessage: outcome === 'failed' ? 'simulated failure: the build step exited with code 1' : undefined,
    });
    return Response.json(result);
  } catch (e) {
    const err = toProjectsError(e);
    return Response.json({ error: err.message, code: err.code, referenceId: err.referenceId }, { status: err.httpStatus });
  }
}
