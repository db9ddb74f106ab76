/**
 * POST /functions/v1/complete-build — the worker reports a build's final
 * status. Body: { buildId, status, errorMessage? }. service_role JWT only.
 * Idempotent: the same status again returns the same result (200).
 */
import { readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { rejectUnknownFields } from '../_shared/errors.ts';
import { handle, identify } from '../_shared/handle.ts';

export const handler = handle('complete-build', async (req, ctx) => {
  requireMethod(req, 'POST');
  const { api, claims } = await authenticate(req, ['service_role']);
  identify(ctx, claims);
  const body = await readJsonObject(req);
  rejectUnknownFields(body, ['buildId', 'status', 'errorMessage']);
  const result = await api.completeBuild({
    buildId: body.buildId,
    status: body.status,
    errorMessage: body.errorMessage,
    requestId: ctx.requestId,
  } as Parameters<typeof api.completeBuild>[0]);
  return json(result);
});
