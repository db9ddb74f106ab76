/**
 * GET /functions/v1/build-status?buildId=<ULID> — a build's status, for its
 * owner (or service_role). An unknown build, or another user's, is 404.
 */
import { requireMethod, json, HttpError } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { handle, identify } from '../_shared/handle.ts';

export const handler = handle('build-status', async (req, ctx) => {
  requireMethod(req, 'GET');
  const { api, claims } = await authenticate(req, ['authenticated', 'service_role']);
  identify(ctx, claims);
  const params = new URL(req.url).searchParams;
  const buildId = params.get('buildId');
  if (buildId === null) throw new HttpError(400, 'invalid_input', 'pass the build id as ?buildId=');
  if ([...params.keys()].some((k) => k !== 'buildId')) throw new HttpError(400, 'invalid_input', 'only ?buildId= is accepted');
  return json(await api.getBuildStatus(buildId));
});
