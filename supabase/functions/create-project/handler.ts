/**
 * POST /functions/v1/create-project — creates a project for the signed-in user.
 *
 * Body: { name?, framework?, prompt?, idempotencyKey?, projectId? }; the key may
 * instead come in an `Idempotency-Key` header (IETF draft: a repeated request
 * with the same key returns the first result; the same key with another body is
 * 422). projectId (the original API's field) chooses the new project's id: the
 * same id with the same body replays, another user's id is 409.
 * Authorization: Bearer <user JWT>. 201 with { projectId, versionId, buildId,
 * buildMetricsId, status, created } for a new project; 200 (Idempotent-Replayed:
 * true) for an existing one, whose versionId is null while it has no version.
 */
import { readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { idempotencyKeyOf, rejectUnknownFields } from '../_shared/errors.ts';
import { handle, identify } from '../_shared/handle.ts';

export const handler = handle('create-project', async (req, ctx) => {
  requireMethod(req, 'POST');
  const { api, claims } = await authenticate(req, ['authenticated']);
  identify(ctx, claims);
  const body = await readJsonObject(req);
  rejectUnknownFields(body, ['name', 'framework', 'prompt', 'idempotencyKey', 'projectId']);
  const result = await api.createCompleteProject({
    name: body.name,
    framework: body.framework,
    prompt: body.prompt,
    idempotencyKey: idempotencyKeyOf(req, body),
    projectId: body.projectId,
    requestId: ctx.requestId,
  } as Parameters<typeof api.createCompleteProject>[0]);
  return json(
    {
      projectId: result.projectId,
      versionId: result.versionId,
      buildId: result.buildId,
      buildMetricsId: result.buildMetricsId,
      status: result.projectStatus,
      created: result.created,
    },
    result.created ? 201 : 200,
    result.created ? {} : { 'idempotent-replayed': 'true' },
  );
});
