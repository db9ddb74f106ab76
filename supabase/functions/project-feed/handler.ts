/**
 * GET /functions/v1/project-feed?projectId=<uuid>&after=<cursor>&limit=<1-1000> — the events of
 * a project (or, without projectId, of every project the caller reads) after a cursor, in feed
 * order, each with its build's prompt, status, version, error and timings:
 * `{ events, cursor }`. Pass `cursor` back as `after` to read on. Row-level security applies:
 * another user's project reads as empty. A user JWT or service_role.
 */
import { preflight, requireMethod, json, HttpError } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { errorResponse } from '../_shared/errors.ts';

const PARAMS = ['projectId', 'after', 'limit'];

export async function handler(req: Request): Promise<Response> {
  const pre = preflight(req);
  if (pre) return pre;
  try {
    requireMethod(req, 'GET');
    const { api } = await authenticate(req, ['authenticated', 'service_role']);
    const params = new URL(req.url).searchParams;
    const unknown = [...params.keys()].filter((k) => !PARAMS.includes(k));
    if (unknown.length) throw new HttpError(400, 'invalid_input', `only ?${PARAMS.join('=, ')}= are accepted`);
    const limit = params.get('limit');
    if (limit !== null && !/^[0-9]{1,4}$/.test(limit)) throw new HttpError(400, 'invalid_input', 'limit must be a number from 1 to 1000');
    return json(await api.getProjectFeed({
      projectId: params.get('projectId') ?? undefined,
      after: params.get('after') ?? undefined,
      limit: limit === null ? undefined : Number(limit),
    }));
  } catch (e) {
    return errorResponse(e);
  }
}
