/**
 * POST /functions/v1/complete-build — the worker reports a build's final
 * status. Body: { buildId, status, errorMessage? }. service_role JWT only.
 * Idempotent: the same status again returns the same result (200).
 */
import { preflight, readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { errorResponse, rejectUnknownFields } from '../_shared/errors.ts';

export async function handler(req: Request): Promise<Response> {
  const pre = preflight(req);
  if (pre) return pre;
  try {
    requireMethod(req, 'POST');
    const { api } = await authenticate(req, ['service_role']);
    const body = await readJsonObject(req);
    rejectUnknownFields(body, ['buildId', 'status', 'errorMessage']);
    const result = await api.completeBuild({
      buildId: body.buildId,
      status: body.status,
      errorMessage: body.errorMessage,
      requestId: req.headers.get('x-request-id') ?? undefined,
    } as Parameters<typeof api.completeBuild>[0]);
    return json(result);
  } catch (e) {
    return errorResponse(e);
  }
}
