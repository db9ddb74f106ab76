/**
 * POST /api/projects: the route-handler way to create a project. The SDK on
 * the server, acting as the signed-in user; the browser's Idempotency-Key
 * header is passed through, so retries and double submits replay.
 */
import { toProjectsError } from '@projects-core/sdk';
import { apiFor } from '@/lib/db';
import { getSession } from '@/lib/session';

export async function POST(req: Request) {
  const session = await getSession();
  if (!session) return Response.json({ error: 'sign in first', code: 'unauthorized' }, { status: 401 });
  try {
    const body = (await req.json()) as { name?: string; framework?: string; prompt?: string };
    const project = await apiFor(session.userId).createCompleteProject({
      name: body.name,
      framework: body.framework,
      prompt: body.prompt,
      idempotencyKey: req.headers.get('idempotency-key') ?? undefined,
      requestId: req.headers.get('x-request-id') ?? undefined,
    });
    return Response.json(project, { status: project.created ? 201 : 200 });
  } catch (e) {
    const err = toProjectsError(e);
    return Response.json({ error: err.message, code: err.code, referenceId: err.referenceId, timestamp: err.timestamp }, { status: err.httpStatus });
  }
}
