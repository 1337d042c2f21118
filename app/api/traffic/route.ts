import { z } from 'zod';
import { requireUser } from '@/lib/auth/session';
import { errorResponse, json } from '@/lib/http/responses';
import { listVirtualServiceViews } from '@/lib/k8s/virtual-services';

export const dynamic = 'force-dynamic';

const query = z.object({ namespace: z.string().regex(/^[a-z0-9-]{1,63}$/, 'must be a namespace name').optional() });

/** Every VirtualService (in one namespace, or all) as the Traffic page shows it. */
export async function GET(request: Request) {
  try {
    await requireUser('read');
    const { namespace } = query.parse(Object.fromEntries(new URL(request.url).searchParams));
    return json(await listVirtualServiceViews(namespace || undefined));
  } catch (error) {
    return errorResponse(error);
  }
}
