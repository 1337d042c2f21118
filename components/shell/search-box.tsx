'use client';

import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { SearchHit } from '@/lib/mesh/search';
import { objectHref } from '@/lib/navigation';
import { searchQuery } from '@/lib/queries/search';
import styles from './search-box.module.css';

// Long enough to skip the keystrokes of a word being typed, short enough to feel instant.
const DEBOUNCE_MS = 150;

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

/**
 * The header's search (ARIA combobox with a listbox popup): VirtualServices, DestinationRules,
 * Services and policies by name or host. Arrows move through the results, Enter opens one on
 * its page (row found and opened through the URL), Escape closes the list, then clears. "/"
 * anywhere else focuses it.
 */
export function SearchBox() {
  const router = useRouter();
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const results = useQuery(searchQuery(query));
  const hits = query && text.trim() ? (results.data?.hits ?? []) : [];
  const expanded = open && text.trim() !== '';
  const optionId = (index: number) => `${id}-option-${index}`;

  function go(hit: SearchHit) {
    setOpen(false);
    setText('');
    setActive(-1);
    router.push(objectHref(hit));
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      if (hits.length === 0) return;
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (current + step + hits.length) % hits.length);
    } else if (event.key === 'Enter') {
      const hit = hits[active] ?? hits[0];
      if (expanded && hit) {
        event.preventDefault();
        go(hit);
      }
    } else if (event.key === 'Escape') {
      if (expanded) setOpen(false);
      else setText('');
      setActive(-1);
    }
  }

  let status: string;
  if (!query || results.isPending) status = 'Searching…';
  else if (results.isError) status = `Search failed: ${results.error.message}`;
  else if (hits.length === 0) status = `Nothing named or routing to “${query}”.`;
  else
    status = results.data.total > hits.length ? `Best ${hits.length} of ${results.data.total} matches` : `${hits.length} match${hits.length === 1 ? '' : 'es'}`;
  const unavailable = results.data?.unavailable ?? [];

  return (
    <div className={styles.search}>
      <input
        ref={input}
        type="text"
        role="combobox"
        aria-label="Search"
        aria-expanded={expanded}
        aria-controls={`${id}-listbox`}
        aria-autocomplete="list"
        aria-activedescendant={expanded && hits[active] ? optionId(active) : undefined}
        placeholder="Search routes, rules, services, policies  /"
        autoComplete="off"
        spellCheck={false}
        className={styles.input}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(-1);
        }}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        onKeyDown={onKeyDown}
      />
      <div className={styles.popup} hidden={!expanded}>
        <ul id={`${id}-listbox`} role="listbox" aria-label="Search results" className={styles.list}>
          {hits.map((hit, index) => (
            <li
              key={`${hit.kind}/${hit.namespace}/${hit.name}`}
              id={optionId(index)}
              role="option"
              aria-selected={index === active}
              className={styles.option}
              // Keeps the focus in the box, so the click lands before the list closes.
              onMouseDown={(e) => e.preventDefault()}
              // Moves, not enters: a list appearing under a resting pointer must not pick an option.
              onMouseMove={() => setActive(index)}
              onClick={() => go(hit)}
            >
              <span className={styles.name}>{hit.name}</span>
              <span className={styles.kind}>{hit.kind}</span>
              <span className={styles.where}>
                {hit.namespace}
                {hit.matchedOn === 'host' ? ` · host ${hit.matched}` : ''}
              </span>
            </li>
          ))}
        </ul>
        <p className={styles.status} role="status">
          {status}
          {unavailable.length > 0 && ` (${unavailable.join(', ')} could not be read)`}
        </p>
      </div>
    </div>
  );
}
