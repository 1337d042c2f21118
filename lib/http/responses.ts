import { NextResponse } from 'next/server';
import { ZodError } from 'zod';
import { ApiError, toApiError } from '@/lib/k8s/errors';

/** The JSON body of every error the API returns. */
export interface ErrorBody {
  error: { status: number; reason: string; message: string; details?: unknown };
}

/** A JSON response; the status goes in the init, never in the body (see design brief). */
export function json<T>(body: T, status = 200, headers?: HeadersInit): NextResponse<T> {
  return NextResponse.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });
}

/** Maps anything a handler threw to a 4xx/5xx with a message a person can act on. */
export function errorResponse(error: unknown): NextResponse<ErrorBody> {
  if (error instanceof ZodError) {
    const details = error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
    const message = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
    return json({ error: { status: 400, reason: 'BadRequest', message, details } }, 400);
  }
  const apiError = error instanceof ApiError ? error : toApiError(error);
  if (apiError.status >= 500) console.error(`[api] ${apiError.status} ${apiError.message}`);
  return json({ error: { status: apiError.status, reason: apiError.reason, message: apiError.message, details: apiError.details } }, apiError.status);
}
