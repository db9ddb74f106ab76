/**
 * POST /functions/v1/get-or-create-client — the caller's client with this
 * chat id, created if missing and never overwritten. Chat ids are unique per
 * user: another user's same id is another client. Body: { id, name, email?,
 * phone?, company? }; service_role may add userId. 201 when created, 200 when
 * it existed.
 */
import { defineHandler } from '../_shared/handle.ts';

export const handler = defineHandler('getOrCreateClient', {
  fields: ['id', 'name', 'email', 'phone', 'company'],
  serviceFields: ['userId'],
  call: (api, input) => api.getOrCreateClient(input),
});
