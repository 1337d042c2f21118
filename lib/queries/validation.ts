import { queryOptions, useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'next/navigation';
import { useMemo } from 'react';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { summarizeByObject, type FindingsSummary, type ValidationView } from '@/lib/mesh/validation';
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

/**
 * Every object's findings summary (worst level, count) for the badges of a page's rows, in the
 * header's namespace, from the same query as the Validation page: one fetch per page, kept current by the live stream.
 */
export function useFindingsByObject(): ReadonlyMap<string, FindingsSummary> | undefined {
  const namespace = useSearchParams().get(NAMESPACE_PARAM) ?? '';
  const { data } = useQuery({ ...validationQuery(namespace), retry: false });
  return useMemo(() => (data ? summarizeByObject(data.items) : undefined), [data]);
}
