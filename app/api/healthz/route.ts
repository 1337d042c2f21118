import { json } from '@/lib/http/responses';

export const dynamic = 'force-dynamic';

/** Liveness: the process is up and serving. */
export function GET() {
  return json({ status: 'ok' });
}
