import { trustedProxies, ownOrigins } from '@/lib/auth/trusted-proxies';
import { ApiError } from '@/lib/k8s/errors';

/**
 * Refuses writes that may come from another site. A browser sends Origin on every POST, PUT,
 * PATCH and DELETE; it must be this dashboard's own (NEXTAUTH_URL, the Host header, or a
 * trusted proxy's X-Forwarded-Host). Without Origin, only `Sec-Fetch-Site: same-origin` passes:
 * a write with neither is refused, so a cookie can never ride on a request of unknown origin.
 */
export function requireSameOrigin(request: Request): void {
  const { headers } = request;
  const origin = headers.get('origin');
  if (!origin || origin === 'null') {
    if (headers.get('sec-fetch-site') === 'same-origin') return;
    throw new ApiError(403, 'Cross-site request refused: a change needs the Origin header (or Sec-Fetch-Site: same-origin) of this dashboard', 'Forbidden');
  }
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    throw new ApiError(403, 'Cross-site request refused: the Origin header is malformed', 'Forbidden');
  }
  if (!ownOrigins(headers, trustedProxies()).includes(originUrl.origin)) {
    throw new ApiError(403, `Cross-site request refused: ${origin} may not change this dashboard's cluster`, 'Forbidden');
  }
}
