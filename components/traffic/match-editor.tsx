'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { describeMatch, type RouteView, type VirtualServiceView } from '@/lib/mesh/traffic-split';
import type { HTTPMatchRequest, StringMatch } from '@/lib/mesh/types';
import { HttpError } from '@/lib/queries/fetch-json';
import { putMatch } from '@/lib/queries/traffic';

type Operator = 'exact' | 'prefix' | 'regex';
interface Condition {
  header: string;
  operator: Operator;
  value: string;
}
interface Block {
  conditions: Condition[];
  rest: Omit<HTTPMatchRequest, 'headers'>; // path, method, … kept as they are
}

const toBlocks = (match: HTTPMatchRequest[]): Block[] =>
  match.map(({ headers, ...rest }) => ({
    rest,
    conditions: Object.entries(headers ?? {}).map(([header, m]) => {
      const operator = (['exact', 'prefix', 'regex'] as const).find((op) => m[op] !== undefined) ?? 'exact';
      return { header, operator, value: m[operator] ?? '' };
    }),
  }));

const toMatch = (blocks: Block[]): HTTPMatchRequest[] =>
  blocks.map(({ rest, conditions }) => ({
    ...rest,
    ...(conditions.length ? { headers: Object.fromEntries(conditions.map((c) => [c.header, { [c.operator]: c.value } as StringMatch])) } : {}),
  }));

function problems(blocks: Block[]): string[] {
  const found: string[] = [];
  blocks.forEach((block, b) => {
    const seen = new Set<string>();
    block.conditions.forEach((c, i) => {
      const where = `Match ${b + 1}, condition ${i + 1}`;
      if (!/^[a-z0-9][a-z0-9-_.]*$/.test(c.header)) found.push(`${where}: the header name must be lowercase letters, digits, "-", "_" or "."`);
      if (seen.has(c.header)) found.push(`${where}: ${c.header} is already a condition of this match`);
      seen.add(c.header);
      if (c.operator !== 'regex' && c.value === '') found.push(`${where}: give a value`);
      if (c.operator === 'regex') {
        try {
          new RegExp(c.value);
        } catch {
          found.push(`${where}: "${c.value}" is not a valid regular expression`);
        }
      }
    });
  });
  return found;
}

/** Edits a route's header-match rules: conditions inside a match are ANDed, matches are alternatives. */
export function MatchEditor({ vs, route, onClose }: { vs: VirtualServiceView; route: RouteView; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [blocks, setBlocks] = useState<Block[]>(() => toBlocks(route.match));
  const [base] = useState(vs.resourceVersion);
  const [submitted, setSubmitted] = useState(false);
  const [reason, setReason] = useState('');
  const errors = [...problems(blocks), ...(reason.trim().length < 3 ? ['Give a reason for the change (at least 3 characters)'] : [])];
  const save = useMutation({
    mutationFn: () => putMatch(vs, route.index, { resourceVersion: base, reason, match: toMatch(blocks) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['traffic'] });
      onClose();
    },
  });
  const update = (b: number, fn: (block: Block) => Block) => setBlocks(blocks.map((block, i) => (i === b ? fn(block) : block)));
  const move = (b: number, by: number) => {
    const next = [...blocks];
    const [block] = next.splice(b, 1);
    next.splice(b + by, 0, block!);
    setBlocks(next);
  };

  return (
    <section className="match-editor" aria-label={`Match rules of route ${route.name}`}>
      {blocks.length === 0 && <p className="hint">No match: this route takes every request that reaches it.</p>}
      {blocks.map((block, b) => (
        <fieldset key={b} className="match-block">
          <legend>
            Match {b + 1}: {describeMatch(toMatch([block])[0]!)}
          </legend>
          {block.conditions.map((c, i) => (
            <div key={i} className="condition">
              <input aria-label={`Match ${b + 1} condition ${i + 1} header`} value={c.header} onChange={(e) => update(b, (x) => ({ ...x, conditions: x.conditions.map((y, k) => (k === i ? { ...y, header: e.target.value.trim().toLowerCase() } : y)) }))} />
              <select aria-label={`Match ${b + 1} condition ${i + 1} operator`} value={c.operator} onChange={(e) => update(b, (x) => ({ ...x, conditions: x.conditions.map((y, k) => (k === i ? { ...y, operator: e.target.value as Operator } : y)) }))}>
                <option value="exact">equals</option>
                <option value="prefix">starts with</option>
                <option value="regex">matches regex</option>
              </select>
              <input aria-label={`Match ${b + 1} condition ${i + 1} value`} value={c.value} onChange={(e) => update(b, (x) => ({ ...x, conditions: x.conditions.map((y, k) => (k === i ? { ...y, value: e.target.value } : y)) }))} />
              <button type="button" className="button button-quiet button-small" onClick={() => update(b, (x) => ({ ...x, conditions: x.conditions.filter((_, k) => k !== i) }))}>
                Remove condition {i + 1}
              </button>
            </div>
          ))}
          <div className="toolbar">
            <button type="button" className="button button-quiet button-small" onClick={() => update(b, (x) => ({ ...x, conditions: [...x.conditions, { header: '', operator: 'exact', value: '' }] }))}>
              Add header condition to match {b + 1}
            </button>
            <button type="button" className="button button-quiet button-small" disabled={b === 0} onClick={() => move(b, -1)}>
              Move match {b + 1} up
            </button>
            <button type="button" className="button button-quiet button-small" disabled={b === blocks.length - 1} onClick={() => move(b, 1)}>
              Move match {b + 1} down
            </button>
            <button type="button" className="button button-quiet button-small" onClick={() => setBlocks(blocks.filter((_, i) => i !== b))}>
              Remove match {b + 1}
            </button>
          </div>
        </fieldset>
      ))}
      <div className="toolbar">
        <button type="button" className="button button-quiet button-small" onClick={() => setBlocks([...blocks, { rest: {}, conditions: [{ header: '', operator: 'exact', value: '' }] }])}>
          Add match
        </button>
      </div>
      <label className="field">
        Reason for this change (kept in the audit trail)
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      {submitted && errors.length > 0 && (
        <ul role="alert" className="notice-inline bad">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {save.isError && (
        <p role="alert" className="notice-inline bad">
          Not saved: {save.error.message}
          {save.error instanceof HttpError && save.error.status === 409 && ' Close the editor to see the current rules, then edit again.'}
        </p>
      )}
      <div className="toolbar">
        <button
          type="button"
          className="button"
          disabled={save.isPending}
          onClick={() => {
            setSubmitted(true);
            if (errors.length === 0) save.mutate();
          }}
        >
          {save.isPending ? 'Saving…' : 'Save match rules'}
        </button>
        <button type="button" className="button button-quiet" onClick={onClose}>
          Cancel
        </button>
      </div>
    </section>
  );
}
