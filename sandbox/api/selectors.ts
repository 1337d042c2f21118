// labelSelector and fieldSelector query parameters, as kube-apiserver parses them.
import { badRequest } from './status.ts';
import type { KubeObject } from './store.ts';

type Requirement = { key: string; op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!='; values: string[] };

/** Parses "a=b,c!=d,e in (x,y),!f,g" into a predicate on labels. */
export function parseLabelSelector(selector: string | null): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => true;
  const requirements: Requirement[] = [];
  for (const part of splitTopLevel(selector)) {
    const term = part.trim();
    if (!term) continue;
    let m: RegExpExecArray | null;
    if ((m = /^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      requirements.push({ key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = /^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/.exec(term))) {
      requirements.push({ key: m[1]!, op: m[2] === '!=' ? '!=' : '=', values: [m[3]!] });
    } else if ((m = /^!([\w./-]+)$/.exec(term))) {
      requirements.push({ key: m[1]!, op: '!exists', values: [] });
    } else if ((m = /^([\w./-]+)$/.exec(term))) {
      requirements.push({ key: m[1]!, op: 'exists', values: [] });
    } else {
      throw badRequest(`unable to parse requirement: found '${term}', expected: key, '=', '==', '!=', 'in', 'notin' or '!'`);
    }
  }
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.op) {
    case 'exists': return has;
    case '!exists': return !has;
    case '=': return has && value === r.values[0];
    case '!=': return !has || value !== r.values[0];
    case 'in': return has && r.values.includes(value!);
    case 'notin': return !has || !r.values.includes(value!);
  }
}

function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

const FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
  // Events are commonly filtered by the object they are about.
  'involvedObject.name': (o) => (o.involvedObject as { name?: string } | undefined)?.name,
  'involvedObject.namespace': (o) => (o.involvedObject as { namespace?: string } | undefined)?.namespace,
  'involvedObject.kind': (o) => (o.involvedObject as { kind?: string } | undefined)?.kind,
  'involvedObject.uid': (o) => (o.involvedObject as { uid?: string } | undefined)?.uid,
  'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase,
};

/** Parses "metadata.name=x,metadata.namespace!=y" into a predicate on objects. */
export function parseFieldSelector(selector: string | null): (object: KubeObject) => boolean {
  if (!selector) return () => true;
  const terms = selector.split(',').filter(Boolean).map((term) => {
    const m = /^([\w.]+)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const read = FIELDS[m[1]!];
    if (!read) throw badRequest(`"${m[1]}" is not a known field selector: only "${Object.keys(FIELDS).join('", "')}"`);
    return { read, negate: m[2] === '!=', value: m[3]! };
  });
  return (object) => terms.every((t) => (t.read(object) === t.value) !== t.negate);
}
