import { ApiError } from '@/lib/k8s/errors';

/** Reads a JSON request body of at most `maxBytes`, with errors a person can act on. */
export async function readJsonBody(request: Request, maxBytes = 64 * 1024): Promise<unknown> {
  const type = request.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) throw new ApiError(415, `Send the body as application/json (got ${type || 'no content type'})`, 'UnsupportedMediaType');
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new ApiError(413, `The request body is ${declared} bytes; the limit is ${maxBytes}`, 'RequestEntityTooLarge');
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
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError(400, `The request body is not valid JSON: ${(error as Error).message}`, 'BadRequest');
  }
}
