import { queryOptions } from '@tanstack/react-query';
import type { ValidationView } from '@/lib/mesh/validation';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';
import { pushedQuery } from './live-status';

/**
 * The analysis' findings of one namespace ("" = every visible one), as /api/validation answers
 * them; the Validation page and the row badges of Traffic, Security and Resilience share it.
 */
export const validationQuery = (namespace: string) =>
  queryOptions({
    queryKey: queryKeys.validation.list(namespace),
    queryFn: () => fetchJson<ValidationView>(`/api/validation${namespace ? `?namespace=${encodeURIComponent(namespace)}` : ''}`),
    ...pushedQuery,
  });
