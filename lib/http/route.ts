// The one route-handler wrapper: authorize → parse → call lib → map errors.
import type { ZodType } from 'zod';
import type { Action } from '@/lib/auth/roles';
import { requireUser, type SessionUser } from '@/lib/auth/session';
import { readJsonBody } from './body';
import { requireSameOrigin } from './guards';
import { errorResponse, json } from './responses';

/** Who may call a route: `public` (health probes), or the action the signed-in user must be allowed. */
export type RouteAuth = 'public' | Action;

interface RouteSpec<P, Q, B> {
  auth: RouteAuth;
  /** Path parameters: Next has already percent-decoded them (proxy.ts refuses what does not decode). */
  params?: ZodType<P>;
  /** Query parameters, last value wins; empty values count as absent (`?namespace=` means all). */
  query?: ZodType<Q>;
  /** A JSON body, for routes that read one themselves; writes read theirs in auditedWrite. */
  body?: ZodType<B>;
}

/** What a route's handler gets: everything already parsed and authorized. */
export interface RouteInput<P, Q, B> {
  request: Request;
  params: P;
  query: Q;
  body: B;
  /** The signed-in user; null only on public routes. */
  user: SessionUser | null;
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/**
 * Builds a route handler. In order: for a write (any action but `read`) the same-origin check,
 * then sign-in and role (before anything is looked up, so an anonymous caller learns nothing,
 * not even that a path is malformed), then params, query and body through their zod schemas,
 * then the handler. Whatever it returns is sent as JSON (a Response passes through); whatever
 * is thrown goes through errorResponse, which never shows internal text.
 */
export function route<P = undefined, Q = undefined, B = undefined>(
  spec: RouteSpec<P, Q, B>,
  handler: (input: RouteInput<P, Q, B>) => Promise<unknown> | unknown,
) {
  return async (request: Request, context?: RouteContext): Promise<Response> => {
    try {
      let user: SessionUser | null = null;
      if (spec.auth !== 'public') {
        if (spec.auth !== 'read') requireSameOrigin(request);
        user = await requireUser(spec.auth);
      }
      const params = (spec.params ? spec.params.parse((await context?.params) ?? {}) : undefined) as P;
      const query = (spec.query ? spec.query.parse(queryObject(request)) : undefined) as Q;
      const body = (spec.body ? spec.body.parse(await readJsonBody(request)) : undefined) as B;
      const result = await handler({ request, params, query, body, user });
      return result instanceof Response ? result : json(result);
    } catch (error) {
      return errorResponse(error);
    }
  };
}

function queryObject(request: Request): Record<string, string> {
  return Object.fromEntries([...new URL(request.url).searchParams].filter(([, value]) => value !== ''));
}
