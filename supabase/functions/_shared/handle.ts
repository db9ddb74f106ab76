/**
 * What every function does around its own work: answer the CORS preflight,
 * fix the request id (the caller's x-request-id when valid, else a new one)
 * and put it on every answer, and turn a failure into an error answer that is
 * logged with it. defineHandler builds a whole function from its entry in the
 * SDK's registry (src/functions.ts): method, roles, input and SDK call.
 */
import type { ProjectsApi } from '@projects-core/sdk';
import { API_FUNCTIONS, paramOf, parseInputOf, type ApiName, type InputOf } from '@projects-core/sdk/functions';
import { authenticate } from './context.ts';
import { errorResponse, idempotencyKeyOf, rejectUnknownFields, type RequestContext } from './errors.ts';
import { HttpError, json, preflight, readJsonObject, requestIdOf, requireMethod } from './http.ts';

export type { RequestContext };

export function handle(
  name: string,
  work: (req: Request, ctx: RequestContext) => Promise<Response>,
): (req: Request) => Promise<Response> {
  return async (req) => {
    const ctx: RequestContext = { function: name, requestId: requestIdOf(req), startedAt: performance.now() };
    let res = preflight(req);
    if (!res) {
      try {
        res = await work(req, ctx);
      } catch (e) {
        res = errorResponse(e, ctx);
      }
    }
    res.headers.set('x-request-id', ctx.requestId);
    return res;
  };
}

/** Records who called, for the error log line. */
export function identify(ctx: RequestContext, claims: { role: string; sub?: string }): void {
  ctx.caller = claims.role === 'authenticated' ? { role: claims.role, userId: claims.sub } : { role: claims.role };
}

type Field<K extends ApiName> = keyof InputOf<K> & string;

export interface HandlerSpec<K extends ApiName, R> {
  /** The body fields (POST) or query parameters (GET) any allowed caller may send, in the order error messages list them. */
  fields: readonly Field<K>[];
  /** Fields only service_role may add (a user acts for no one else). */
  serviceFields?: readonly Field<K>[];
  /** The SDK call. */
  call: (api: ProjectsApi, input: InputOf<K>) => Promise<R>;
  /** The answer's body (default: the result). */
  answer?: (result: R) => unknown;
}

/**
 * The edge function of a registered SDK function. The input is the JSON body
 * (POST) or the query (GET), limited to `fields`; the idempotency key may come
 * in an Idempotency-Key header; the request id is the request's. A result
 * with `created` answers 201 when true and 200 when false, with
 * `Idempotent-Replayed: true` when the function takes an idempotency key.
 */
export function defineHandler<K extends ApiName, R>(op: K, spec: HandlerSpec<K, R>): (req: Request) => Promise<Response> {
  const fn = API_FUNCTIONS[op];
  if (!('http' in fn)) throw new Error(`${op} is not exposed over HTTP in the registry`);
  const { name, method } = fn.http;
  const roles = 'roles' in fn.http ? fn.http.roles : fn.roles;
  const takes = (field: string) => field in fn.input.shape;
  return handle(name, async (req, ctx) => {
    requireMethod(req, method);
    const { api, claims } = await authenticate(req, [...roles]);
    identify(ctx, claims);
    const accepted: readonly string[] = claims.role === 'service_role' ? [...spec.fields, ...(spec.serviceFields ?? [])] : spec.fields;
    const given = method === 'GET' ? queryOf(req, accepted, fn.params) : await bodyOf(req, accepted);
    const input = parseInputOf(op, { ...given, ...(takes('requestId') ? { requestId: ctx.requestId } : {}) });
    const result = await spec.call(api, input);
    const body = spec.answer ? spec.answer(result) : result;
    const created = typeof result === 'object' && result !== null && 'created' in result ? result.created : undefined;
    if (typeof created !== 'boolean' || created) return json(body, created ? 201 : 200);
    return json(body, 200, accepted.includes('idempotencyKey') ? { 'idempotent-replayed': 'true' } : {});
  });

  async function bodyOf(req: Request, accepted: readonly string[]): Promise<Record<string, unknown>> {
    const body = await readJsonObject(req);
    rejectUnknownFields(body, accepted);
    if (!accepted.includes('idempotencyKey')) return body;
    return { ...body, idempotencyKey: idempotencyKeyOf(req, body) };
  }
}

/** The query as input fields; a parameter whose SQL type is integer must be a whole number. */
function queryOf(req: Request, accepted: readonly string[], params: Readonly<Record<string, string>>): Record<string, unknown> {
  const query = new URL(req.url).searchParams;
  if ([...query.keys()].some((k) => !accepted.includes(k))) {
    throw new HttpError(400, 'invalid_input', `only ${accepted.map((k) => `?${k}=`).join(', ')} accepted`);
  }
  const input: Record<string, unknown> = {};
  for (const [field, value] of query) {
    if (params[paramOf(field)] !== 'integer') input[field] = value;
    else if (/^[0-9]{1,9}$/.test(value)) input[field] = Number(value);
    else throw new HttpError(400, 'invalid_input', `${field} must be a whole number`);
  }
  return input;
}
