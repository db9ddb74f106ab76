/**
 * What every function does around its own work: answer the CORS preflight,
 * fix the request id (the caller's x-request-id when valid, else a new one)
 * and put it on every answer, and turn a failure into an error answer that is
 * logged with it.
 */
import { errorResponse, type RequestContext } from './errors.ts';
import { preflight, requestIdOf } from './http.ts';

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
