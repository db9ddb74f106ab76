/**
 * POST /functions/v1/create-project — creates a project for the signed-in user.
 *
 * Body: { name, framework, prompt, idempotencyKey? }; the key may instead come
 * in an `Idempotency-Key` header (IETF draft: a repeated request with the same
 * key returns the first result; the same key with another body is 422).
 * Authorization: Bearer <user JWT>. 201 with { projectId, versionId, buildId,
 * buildMetricsId } for a new project, 200 (Idempotent-Replayed: true) for a replay.
 */
import { preflight, readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { errorResponse, idempotencyKeyOf, rejectUnknownFields } from '../_shared/errors.ts';

export async function handler(req: Request): Promise<Response> {
  const pre = preflight(req);
  if (pre) return pre;
  try {
    requireMethod(req, 'POST');
    const { api } = await authenticate(req, ['authenticated']);
    const body = await readJsonObject(req);
    rejectUnknownFields(body, ['name', 'framework', 'prompt', 'idempotencyKey']);
    const result = await api.createCompleteProject({
      name: body.name,
      framework: body.framework,
      prompt: body.prompt,
      idempotencyKey: idempotencyKeyOf(req, body),
      requestId: req.headers.get('x-request-id') ?? undefined,
    } as Parameters<typeof api.createCompleteProject>[0]);
    return json(
      { projectId: result.projectId, versionId: result.versionId, buildId: result.buildId, buildMetricsId: result.buildMetricsId },
      result.created ? 201 : 200,
      result.created ? {} : { 'idempotent-replayed': 'true' },
    );
  } catch (e) {
    return errorResponse(e);
  }
}
