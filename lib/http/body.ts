import { ApiError } from '@/lib/k8s/errors';

/** The largest JSON body any route accepts. */
export const MAX_BODY_BYTES = 64 * 1024;

// JSON is UTF-8 (RFC 8259); a body declared in another charset is refused, not guessed at.
const ACCEPTED_CHARSETS = new Set(['utf-8', 'utf8']);

/**
 * Checks that a Content-Type header is `application/json`, with no parameter other than
 * `charset=utf-8`. Throws 415 otherwise.
 */
export function requireJsonContentType(header: string | null): void {
  const [essence = '', ...parameters] = (header ?? '').split(';');
  const refuse = (why: string) => new ApiError(415, `Send the body as application/json (${why})`, 'UnsupportedMediaType');
  if (essence.trim().toLowerCase() !== 'application/json') throw refuse(`got ${header ? JSON.stringify(header.slice(0, 100)) : 'no content type'}`);
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=').map((part) => part.trim().toLowerCase());
    if (name === '' && value === '') continue; // a trailing ";"
    if (name !== 'charset') throw refuse(`the parameter ${JSON.stringify(name.slice(0, 50))} is not understood`);
    if (!ACCEPTED_CHARSETS.has(value.replace(/^"(.*)"$/, '$1'))) throw refuse(`charset must be utf-8, not ${JSON.stringify(value.slice(0, 50))}`);
  }
}

// Keys that reach an object's prototype when a later step copies the body with assignment.
const FORBIDDEN_KEYS = new Set(['__proto__']);

/**
 * Reads a JSON request body of at most `maxBytes`: `Content-Type: application/json` (charset
 * utf-8 or none, else 415), valid UTF-8 and valid JSON (else 400), no `__proto__` key at any
 * depth (400), and the size checked both as declared and as actually streamed (413).
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  requireJsonContentType(request.headers.get('content-type'));
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new ApiError(413, `The request body is ${declared} bytes; the limit is ${maxBytes}`, 'RequestEntityTooLarge');
  const bytes = await readBounded(request, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError(400, 'The request body is not valid UTF-8', 'BadRequest');
  }
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKey(key);
      return value;
    });
  } catch (error) {
    if (error instanceof ForbiddenKey) throw new ApiError(400, `The request body may not use the key "${error.key}"`, 'BadRequest');
    throw new ApiError(400, `The request body is not valid JSON: ${(error as Error).message.slice(0, 200)}`, 'BadRequest');
  }
}

class ForbiddenKey extends Error {
  constructor(readonly key: string) {
    super(key);
  }
}

async function readBounded(request: Request, maxBytes: number): Promise<Uint8Array> {
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ApiError(413, `The request body is larger than ${maxBytes} bytes`, 'RequestEntityTooLarge');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
