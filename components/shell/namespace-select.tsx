'use client';

import { useQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { NAMESPACE_PARAM } from '@/lib/navigation';
import { namespacesQuery } from '@/lib/queries/shell';
import { useHydrated } from '@/lib/use-hydrated';
import styles from './shell.module.css';

/** Picks the namespace every page shows; the choice lives in the URL so links and reloads keep it. */
export function NamespaceSelect() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const selected = searchParams.get(NAMESPACE_PARAM) ?? '';
  const { data: namespaces, isError } = useQuery(namespacesQuery());
  // The page may have fetched the list before this part hydrated: its options wait until then.
  const hydrated = useHydrated();

  const names = (hydrated && namespaces?.map((ns) => ns.name)) || [];
  // Keep a namespace named in the URL selectable even before (or without) the list.
  if (selected && !names.includes(selected)) names.unshift(selected);

  function select(value: string) {
    const next = new URLSearchParams(searchParams);
    if (value) next.set(NAMESPACE_PARAM, value);
    else next.delete(NAMESPACE_PARAM);
    const query = next.toString();
    router.replace(query ? `${pathname}?${query}` : pathname);
  }

  return (
    <label className="field-inline">
      <span className={styles.namespaceLabel}>Namespace</span>
      <select
        aria-label="Namespace"
        value={selected}
        // Before hydration a choice would be undone by React restoring the URL's value: not offered until it can work.
        disabled={!hydrated}
        onChange={(e) => select(e.target.value)}
        aria-describedby={hydrated && isError ? 'namespace-error' : undefined}
      >
        <option value="">All namespaces</option>
        {names.map((name) => (
          <option key={name} value={name}>
            {name}
          </option>
        ))}
      </select>
      {hydrated && isError && (
        <span id="namespace-error" className="visually-hidden">
          The namespace list could not be loaded
        </span>
      )}
    </label>
  );
}
