/**
 * POST /functions/v1/start-build — starts a new build of a project (the
 * build in flight, if any, is superseded). Body: { projectId, prompt?,
 * idempotencyKey? } or the Idempotency-Key header. The project's owner
 * (user JWT) or service_role. 201 for a new build, 200 for a replay.
 */
import { preflight, readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { errorResponse, idempotencyKeyOf, rejectUnknownFields } from '../_shared/errors.ts';

export async function handler(req: Request): Promise<Response> {
  const pre = preflight(req);
  if (pre) return pre;
  try {
    requireMethod(req, 'POST');
    const { api } = await authenticate(req, ['authenticated', 'service_role']);
    const body = await readJsonObject(req);
    rejectUnknownFields(body, ['projectId', 'prompt', 'idempotencyKey']);
    const result = await api.startBuild({
      projectId: body.projectId,
      prompt: body.prompt,
      idempotencyKey: idempotencyKeyOf(req, body),
      requestId: req.headers.get('x-request-id') ?? undefined,
    } as Parameters<typeof api.startBuild>[0]);
    return json(result, result.created ? 201 : 200, result.created ? {} : { 'idempotent-replayed': 'true' });
  } catch (e) {
    return errorResponse(e);
  }
}
