import { namespaceQuery } from '@/lib/api/param-schemas';
import { route } from '@/lib/http/route';
import { readOverview } from '@/lib/live/reads';

export const dynamic = 'force-dynamic';

/**
 * The Overview's health table: per namespace the person may see (or the one asked for), RED
 * numbers, firing alerts, active emergencies, recent changes and object counts. A source that
 * fails (Prometheus, the audit trail) is named in `problems`; the rest still answers.
 */
export const GET = route({ auth: 'read', query: namespaceQuery }, ({ user, query }) => readOverview(user!, query.namespace));
