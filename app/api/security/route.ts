import { requireUser } from '@/lib/auth/session';
import { namespaceName } from '@/lib/api/security-schemas';
import { errorResponse, json } from '@/lib/http/responses';
import { securityView } from '@/lib/k8s/security';

export const dynamic = 'force-dynamic';

/** mTLS per scope and workload, conflicts, emergencies, JWT, authorization, rate limits. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const raw = new URL(request.url).searchParams.get('namespace');
    return json(await securityView(raw ? namespaceName.parse(raw) : undefined));
  } catch (error) {
    return errorResponse(error);
  }
}
