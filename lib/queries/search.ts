import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import type { SearchAnswer, SearchKind } from '@/lib/mesh/search';
import { fetchJson } from './fetch-json';
import { queryKeys } from './keys';

/** /api/search's answer: the best hits, how many matched, and kinds that could not be read. */
export type SearchResults = SearchAnswer & { unavailable?: SearchKind[] };

export const searchQuery = (q: string) =>
  queryOptions({
    queryKey: queryKeys.search(q),
    queryFn: ({ signal }) => fetchJson<SearchResults>(`/api/search?${new URLSearchParams({ q })}`, { signal }),
    enabled: q.trim() !== '',
    staleTime: 10_000,
    // The list stays while the next keystroke's answer is on its way.
    placeholderData: keepPreviousData,
  });
