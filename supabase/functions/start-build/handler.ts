/**
 * POST /functions/v1/start-build — starts a new build of a project (the
 * build in flight, if any, is superseded). Body: { projectId, prompt?,
 * framework?, idempotencyKey? } or the Idempotency-Key header. The project's
 * owner (user JWT) or service_role. 201 for a new build, 200 for a replay.
 */
import { readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { idempotencyKeyOf, rejectUnknownFields } from '../_shared/errors.ts';
import { handle, identify } from '../_shared/handle.ts';

export const handler = handle('start-build', async (req, ctx) => {
  requireMethod(req, 'POST');
  const { api, claims } = await authenticate(req, ['authenticated', 'service_role']);
  identify(ctx, claims);
  const body = await readJsonObject(req);
  rejectUnknownFields(body, ['projectId', 'prompt', 'framework', 'idempotencyKey']);
  const result = await api.startBuild({
    projectId: body.projectId,
    prompt: body.prompt,
    framework: body.framework,
    idempotencyKey: idempotencyKeyOf(req, body),
    requestId: ctx.requestId,
  } as Parameters<typeof api.startBuild>[0]);
  return json(result, result.created ? 201 : 200, result.created ? {} : { 'idempotent-replayed': 'true' });
});
