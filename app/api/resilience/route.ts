import { requireUser } from '@/lib/auth/session';
import { namespaceName } from '@/lib/api/security-schemas';
import { errorResponse, json } from '@/lib/http/responses';
import { resilienceView } from '@/lib/k8s/resilience';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  try {
    await requireUser('read');
    const raw = new URL(request.url).searchParams.get('namespace');
    return json(await resilienceView(raw ? namespaceName.parse(raw) : undefined));
  } catch (error) {
    return errorResponse(error);
  }
}
