import { randomUUID } from 'node:crypto';
import { NextResponse } from 'next/server';
import { ZodError } from 'zod';
import { ApiError, toApiError } from '@/lib/k8s/errors';

/** The JSON body of every error the API returns. */
export interface ErrorBody {
  error: { status: number; reason: string; message: string; details?: unknown };
}

/**
 * A JSON response; the status goes in the init, never in the body (see design brief). A body
 * with lazy arrays (iterables other than Arrays, as the body or its fields) is streamed: see streamJson.
 */
export function json<T>(body: T, status = 200, headers?: HeadersInit): NextResponse<T> {
  if (isLazyArray(body) || (isObject(body) && Object.values(body).some(isLazyArray))) return streamJson(body, status, headers);
  return NextResponse.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

/**
 * The ApiError an error stands for, or undefined when it is a fault of our own (a TypeError,
 * "Cannot read properties of undefined"): toApiError files every unclassified Error under
 * BadGateway with its message, and that message is internal text a person must not see.
 */
function classify(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  const apiError = toApiError(error);
  const isKubernetesAnswer = typeof (error as { code?: unknown } | null)?.code === 'number';
  return apiError.reason === 'BadGateway' && !isKubernetesAnswer ? undefined : apiError;
}

/**
 * Maps anything a handler threw to a 4xx/5xx with a message a person can act on. A fault of
 * our own becomes "internal error, id <uuid>" and the detail (with its stack) goes to the
 * server log under the same id, so a report from a user can be matched to it.
 */
export function errorResponse(error: unknown): NextResponse<ErrorBody> {
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const message = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    return json({ error: { status: 400, reason: 'BadRequest', message, details } }, 400);
  }
  const apiError = classify(error);
  if (!apiError) {
    const id = randomUUID();
    console.error(`[api] internal error ${id}:`, error);
    return json({ error: { status: 500, reason: 'InternalError', message: `internal error, id ${id}`, details: { id } } }, 500);
  }
  if (apiError.status >= 500) console.error(`[api] ${apiError.status} ${apiError.message}`);
  return json({ error: { status: apiError.status, reason: apiError.reason, message: apiError.message, details: apiError.details } }, apiError.status);
}

// Chunks of about this many characters: small enough that a large answer is never one string.
const STREAM_CHUNK = 64 * 1024;

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value);
/** A lazy array: an iterable other than an Array (a generator, say), which json() streams as a JSON array. */
export const isLazyArray = (value: unknown): value is Iterable<unknown> => isObject(value) && Symbol.iterator in value;

/** The answer with its lazy arrays (the answer itself, or its fields) made into Arrays, e.g. to filter them. */
export function withArrays<T>(value: T): T {
  if (isLazyArray(value)) return [...value] as T;
  if (isObject(value) && Object.values(value).some(isLazyArray))
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, isLazyArray(field) ? [...field] : field])) as T;
  return value;
}

/** The JSON text of `value` in parts: a lazy array (any iterable but an Array) item by item. */
function* jsonParts(value: unknown): Generator<string> {
  if (isLazyArray(value)) {
    let separator = '[';
    for (const item of value) {
      yield separator + (JSON.stringify(item) ?? 'null');
      separator = ',';
    }
    yield separator === '[' ? '[]' : ']';
  } else if (isObject(value) && Object.values(value).some(isLazyArray)) {
    let separator = '{';
    for (const [key, field] of Object.entries(value)) {
      if (field === undefined || typeof field === 'function' || typeof field === 'symbol') continue;
      yield `${separator}${JSON.stringify(key)}:`;
      separator = ',';
      yield* jsonParts(field);
    }
    yield separator === '{' ? '{}' : '}';
  } else {
    yield JSON.stringify(value) ?? 'null';
  }
}

/**
 * A JSON response written while it is sent, for the large all-namespace answers: a top-level
 * field (or the body) that is an iterable other than an Array is written as a JSON array, its
 * items produced one at a time as the client reads, so neither the whole answer nor all of its
 * items are ever in memory at once. The text is what `json()` would send. A failure while
 * writing aborts the response (the client sees a broken body, never a short valid one).
 */
export function streamJson<T>(body: T, status = 200, headers?: HeadersInit): NextResponse<T> {
  const parts = jsonParts(body);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = '';
      for (let part = parts.next(); !part.done; part = parts.next()) {
        chunk += part.value;
        if (chunk.length >= STREAM_CHUNK) return controller.enqueue(encoder.encode(chunk));
      }
      if (chunk) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
    cancel() {
      parts.return(undefined);
    },
  });
  return new NextResponse<T>(stream, { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });
}
