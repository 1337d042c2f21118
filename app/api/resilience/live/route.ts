import { requireUser } from '@/lib/auth/session';
import { namespaceName } from '@/lib/api/security-schemas';
import { errorResponse, json } from '@/lib/http/responses';
import { breakerLive } from '@/lib/metrics/resilience';

export const dynamic = 'force-dynamic';

/** Live breaker state per service, failures by response flag over the last 30 minutes, and which Envoy stats are missing. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const raw = new URL(request.url).searchParams.get('namespace');
    const namespace = raw ? namespaceName.parse(raw) : undefined;
    return json(await breakerLive(namespace));
  } catch (error) {
    return errorResponse(error);
  }
}
