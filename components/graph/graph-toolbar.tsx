'use client';

import { useEffect, useId, useState } from 'react';
import { GRAPH_WINDOWS, GROUP_BYS, type GraphWindow, type GroupBy } from '@/lib/mesh/graph';
import { GRAPH_FILTER_HELP } from '@/lib/mesh/graph-filter';
import styles from './graph.module.css';

const GROUP_BY_LABELS: Record<GroupBy, string> = { app: 'App', version: 'Versioned app', workload: 'Workload', service: 'Service' };

export interface GraphToolbarProps {
  window: GraphWindow;
  onWindow(window: GraphWindow): void;
  groupBy: GroupBy;
  onGroupBy(groupBy: GroupBy): void;
  find: string;
  onFind(text: string): void;
  findError?: { message: string };
  hide: string;
  onHide(text: string): void;
  hideError?: { message: string };
  paused: boolean;
  onPause(paused: boolean): void;
  onRefresh(): void;
  refreshing: boolean;
  /** When the shown graph was fetched (ms since the epoch); 0 before the first answer. */
  updatedAt: number;
}

/** The graph's controls: window, grouping, Find and Hide expressions, pause, refresh and the data's age. */
export function GraphToolbar(p: GraphToolbarProps) {
  const helpId = useId();
  return (
    <div className={styles.toolbar}>
      <form className={`filters ${styles.controls}`} aria-label="Graph options" onSubmit={(e) => e.preventDefault()}>
        <label>
          Window
          <select value={p.window} onChange={(e) => p.onWindow(e.target.value as GraphWindow)}>
            {GRAPH_WINDOWS.map((w) => (
              <option key={w} value={w}>
                Last {w}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select value={p.groupBy} onChange={(e) => p.onGroupBy(e.target.value as GroupBy)}>
            {GROUP_BYS.map((g) => (
              <option key={g} value={g}>
                {GROUP_BY_LABELS[g]}
              </option>
            ))}
          </select>
        </label>
        <ExpressionBox label="Find" value={p.find} onChange={p.onFind} error={p.findError} example="error > 1%" helpId={helpId} />
        <ExpressionBox label="Hide" value={p.hide} onChange={p.onHide} error={p.hideError} example="rps < 0.1" helpId={helpId} />
      </form>
      <div className={styles.refresh}>
        <button type="button" className="button button-quiet button-small" aria-pressed={p.paused} onClick={() => p.onPause(!p.paused)}>
          {p.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="button button-quiet button-small" onClick={p.onRefresh} disabled={p.refreshing}>
          Refresh
        </button>
        <UpdatedAgo at={p.updatedAt} paused={p.paused} refreshing={p.refreshing} />
      </div>
      <details className={styles.help}>
        <summary>Expressions</summary>
        <p id={helpId} className="hint">
          Combine tests with <code>and</code>, <code>or</code>, <code>not</code> (or <code>!</code>) and parentheses. Percentages: <code>error &gt; 1%</code>;
          durations: <code>p95 &gt; 200ms</code>.
        </p>
        <ul className={styles.helpList}>
          {GRAPH_FILTER_HELP.map((h) => (
            <li key={h.field}>
              <code>{h.example}</code> <span className="muted">({h.scope === 'both' ? 'nodes and edges' : `${h.scope}s`})</span>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

/** A Find or Hide box: its syntax error shown under it and tied to it (aria-invalid, aria-describedby). */
function ExpressionBox({
  label,
  value,
  onChange,
  error,
  example,
  helpId,
}: {
  label: string;
  value: string;
  onChange(text: string): void;
  error?: { message: string };
  example: string;
  helpId: string;
}) {
  const errorId = useId();
  return (
    <label className={styles.expression}>
      {label}
      <input
        type="search"
        value={value}
        placeholder={example}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${errorId} ${helpId}` : helpId}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <span id={errorId} className={styles.expressionError}>
          {error.message}
        </span>
      )}
    </label>
  );
}

/** "Updated 4 s ago", ticking each second (the clock only; the data refreshes on its own cadence). */
function UpdatedAgo({ at, paused, refreshing }: { at: number; paused: boolean; refreshing: boolean }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, []);
  if (!at) return null;
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  const age = seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return (
    <span className="hint">
      {refreshing ? 'Refreshing…' : `Updated ${age} ago`}
      {paused && ' · paused'}
    </span>
  );
}
