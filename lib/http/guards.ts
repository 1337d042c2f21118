import { ApiError } from '@/lib/k8s/errors';

/**
 * Refuses writes from other sites: a browser always sends Origin on a cross-site POST/PUT,
 * and it must name this dashboard's own host.
 */
export function requireSameOrigin(request: Request): void {
  const origin = request.headers.get('origin');
  if (!origin) return; // not a browser (curl, tests): cookies are what CSRF abuses, and they ride only with browsers
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new ApiError(403, 'Cross-site request refused: the Origin header is malformed', 'Forbidden');
  }
  if (originHost !== host) throw new ApiError(403, `Cross-site request refused: ${origin} may not change this dashboard's cluster`, 'Forbidden');
}
