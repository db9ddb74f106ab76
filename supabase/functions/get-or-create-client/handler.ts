/**
 * POST /functions/v1/get-or-create-client — the caller's client with this
 * chat id, created if missing and never overwritten. Chat ids are unique per
 * user: another user's same id is another client. Body: { id, name, email?,
 * phone?, company? }; service_role may add userId. 201 when created, 200 when
 * it existed.
 */
import { readJsonObject, requireMethod, json } from '../_shared/http.ts';
import { authenticate } from '../_shared/context.ts';
import { rejectUnknownFields } from '../_shared/errors.ts';
import { handle, identify } from '../_shared/handle.ts';

export const handler = handle('get-or-create-client', async (req, ctx) => {
  requireMethod(req, 'POST');
  const { api, claims } = await authenticate(req, ['authenticated', 'service_role']);
  identify(ctx, claims);
  const body = await readJsonObject(req);
  rejectUnknownFields(body, claims.role === 'service_role' ? ['id', 'name', 'email', 'phone', 'company', 'userId'] : ['id', 'name', 'email', 'phone', 'company']);
  const client = await api.getOrCreateClient({
    id: body.id,
    name: body.name,
    email: body.email,
    phone: body.phone,
    company: body.company,
    userId: body.userId,
    requestId: ctx.requestId,
  } as Parameters<typeof api.getOrCreateClient>[0]);
  return json(client, client.created ? 201 : 200);
});
