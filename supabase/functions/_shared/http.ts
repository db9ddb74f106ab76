/**
 * HTTP plumbing shared by the edge functions: CORS (with the OPTIONS
 * preflight), JSON responses, request ids, a request-body size limit, and the
 * error body `{ error, code, referenceId, timestamp, hint? }`.
 */

export const corsHeaders: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type, idempotency-key, x-request-id',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Expose-Headers': 'x-reference-id, x-request-id, retry-after, idempotent-replayed',
  'Access-Control-Max-Age': '86400',
};

/** Largest accepted request body: a 100 000-character prompt in UTF-8 fits with room to spare. */
export const MAX_BODY_BYTES = 512 * 1024;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { ...corsHeaders, 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

/** An error the function answers itself (before or instead of the database). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (Retry-After on a 503). */
    readonly headers: Record<string, string> = {},
    /** What to do about it, when the message alone does not say. */
    readonly hint: string | null = null,
  ) {
    super(message);
  }
}

/** A request id as the database records it (p_request_id): 1 to 200 printable ASCII characters. */
const REQUEST_ID = /^[!-~]{1,200}$/;

/**
 * The id of a request: the caller's `x-request-id` when it is one the database
 * accepts, else a new one (a tracing header such as `trace 42` must not make a
 * valid request fail). Every answer carries the id used.
 */
export function requestIdOf(req: Request): string {
  const given = req.headers.get('x-request-id');
  return given !== null && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}

export function preflight(req: Request): Response | null {
  return req.method === 'OPTIONS' ? new Response('ok', { headers: corsHeaders }) : null;
}

export function requireMethod(req: Request, method: 'GET' | 'POST'): void {
  if (req.method !== method) throw new HttpError(405, 'method_not_allowed', `use ${method}`);
}

/** Reads a JSON object body of at most MAX_BODY_BYTES (streamed, so a huge body is cut off early). */
export async function readJsonObject(req: Request): Promise<Record<string, unknown>> {
  const declared = Number(req.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  const type = req.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send a JSON body with content-type application/json');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder().decode(concat(chunks, size));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'the body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'invalid_input', 'the body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function tooLarge() {
  return new HttpError(413, 'payload_too_large', `the body must be at most ${MAX_BODY_BYTES} bytes`);
}

function concat(chunks: Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
