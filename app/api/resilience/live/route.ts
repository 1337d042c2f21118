import { requireUser } from '@/lib/auth/session';
import { namespaceName } from '@/lib/api/security-schemas';
import { errorResponse, json } from '@/lib/http/responses';
import { breakerStatus, failuresOverTime } from '@/lib/metrics/resilience';

export const dynamic = 'force-dynamic';

/** Live breaker state per service, and failures by response flag over the last 30 minutes. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const raw = new URL(request.url).searchParams.get('namespace');
    const namespace = raw ? namespaceName.parse(raw) : undefined;
    const [status, history] = await Promise.all([breakerStatus(namespace), failuresOverTime(1800, namespace)]);
    return json({ status, history });
  } catch (error) {
    return errorResponse(error);
  }
}
