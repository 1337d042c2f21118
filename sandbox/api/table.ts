// meta.k8s.io/v1 Table output, which kubectl asks for (Accept: ...;as=Table) to print
// `kubectl get`: CRDs use their additionalPrinterColumns, built-in kinds a fixed set.
import { partialObjectMetadata } from './negotiation.ts';
import type { ResourceType } from './resources.ts';
import type { KubeObject } from './store.ts';

interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
  read: (o: KubeObject) => unknown;
}

/** Reads a simple JSONPath (".spec.hosts", ".spec.http[0].route", ".items[*].name"). */
export function readJsonPath(object: unknown, path: string): unknown {
  const segments = path
    .replace(/^\{?\.?/, '')
    .replace(/\}$/, '')
    .split(/\.(?![^[]*\])/)
    .filter(Boolean);
  let values: unknown[] = [object];
  for (const segment of segments) {
    const m = /^([^[]*)(?:\[(\*|\d+)\])?$/.exec(segment);
    if (!m) return undefined;
    values = values.flatMap((v) => {
      const field = m[1] ? (v as Record<string, unknown> | undefined)?.[m[1]] : v;
      if (m[2] === undefined) return field === undefined ? [] : [field];
      if (!Array.isArray(field)) return [];
      return m[2] === '*' ? field : field[Number(m[2])] === undefined ? [] : [field[Number(m[2])]];
    });
  }
  return values.length === 0 ? undefined : values.length === 1 && !path.includes('[*]') ? values[0] : values;
}

export function age(timestamp: string | undefined, now = Date.now()): string {
  if (!timestamp) return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return `${minutes}m${seconds % 60 ? `${seconds % 60}s` : ''}`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

const ageColumn: Column = { name: 'Age', type: 'string', description: 'Time since creation', priority: 0, read: (o) => age(o.metadata.creationTimestamp) };

function builtinColumns(kind: string): Column[] {
  const spec = (o: KubeObject) => (o.spec ?? {}) as Record<string, unknown>;
  const status = (o: KubeObject) => (o.status ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'Namespace':
      return [{ name: 'Status', type: 'string', description: 'Phase', priority: 0, read: (o) => status(o).phase ?? 'Active' }, ageColumn];
    case 'Service':
      return [
        { name: 'Type', type: 'string', description: 'Service type', priority: 0, read: (o) => spec(o).type ?? 'ClusterIP' },
        { name: 'Cluster-IP', type: 'string', description: 'Cluster IP', priority: 0, read: (o) => spec(o).clusterIP ?? '<none>' },
        { name: 'External-IP', type: 'string', description: 'External IP', priority: 0, read: () => '<none>' },
        {
          name: 'Port(s)',
          type: 'string',
          description: 'Ports',
          priority: 0,
          read: (o) => ((spec(o).ports as { port: number; protocol?: string }[] | undefined) ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(','),
        },
        ageColumn,
      ];
    case 'Deployment':
      return [
        { name: 'Ready', type: 'string', description: 'Ready replicas', priority: 0, read: (o) => `${status(o).readyReplicas ?? 0}/${spec(o).replicas ?? 1}` },
        { name: 'Up-to-date', type: 'integer', description: 'Updated replicas', priority: 0, read: (o) => status(o).updatedReplicas ?? 0 },
        { name: 'Available', type: 'integer', description: 'Available replicas', priority: 0, read: (o) => status(o).availableReplicas ?? 0 },
        ageColumn,
      ];
    case 'Pod':
      return [
        {
          name: 'Ready',
          type: 'string',
          description: 'Ready containers',
          priority: 0,
          read: (o) => {
            const n = ((spec(o).containers as unknown[]) ?? []).length;
            return `${status(o).phase === 'Running' ? n : 0}/${n}`;
          },
        },
        { name: 'Status', type: 'string', description: 'Phase', priority: 0, read: (o) => status(o).phase ?? 'Pending' },
        { name: 'Restarts', type: 'integer', description: 'Restarts', priority: 0, read: () => 0 },
        ageColumn,
        { name: 'IP', type: 'string', description: 'Pod IP', priority: 1, read: (o) => status(o).podIP ?? '<none>' },
      ];
    case 'ConfigMap':
    case 'Secret':
      return [
        { name: 'Data', type: 'integer', description: 'Number of keys', priority: 0, read: (o) => Object.keys((o.data as object | undefined) ?? {}).length },
        ageColumn,
      ];
    // kube-apiserver's columns: NAME WEBHOOKS AGE.
    case 'MutatingWebhookConfiguration':
    case 'ValidatingWebhookConfiguration':
      return [
        {
          name: 'Webhooks',
          type: 'integer',
          description: 'Number of webhooks',
          priority: 0,
          read: (o) => ((o.webhooks as unknown[] | undefined) ?? []).length,
        },
        ageColumn,
      ];
    case 'Event':
      return [
        { name: 'Type', type: 'string', description: 'Type', priority: 0, read: (o) => o.type },
        { name: 'Reason', type: 'string', description: 'Reason', priority: 0, read: (o) => o.reason },
        {
          name: 'Object',
          type: 'string',
          description: 'Object',
          priority: 0,
          read: (o) => {
            const i = o.involvedObject as { kind?: string; name?: string } | undefined;
            return `${(i?.kind ?? '').toLowerCase()}/${i?.name ?? ''}`;
          },
        },
        { name: 'Message', type: 'string', description: 'Message', priority: 0, read: (o) => o.message },
      ];
    default:
      return [ageColumn];
  }
}

function columnsFor(type: ResourceType): Column[] {
  if (!type.printerColumns) return builtinColumns(type.kind);
  return type.printerColumns.map((c) => ({
    name: c.name,
    type: c.type === 'date' ? 'string' : c.type,
    format: c.format,
    description: c.description ?? '',
    priority: c.priority ?? 0,
    read: (o: KubeObject) => {
      const value = readJsonPath(o, c.jsonPath);
      if (c.type === 'date') return age(value as string | undefined);
      return value === undefined ? null : typeof value === 'object' ? JSON.stringify(value) : value;
    },
  }));
}

/** A Table of the given objects (a single object too, for get and watch events). */
export function toTable(type: ResourceType, objects: KubeObject[], listMeta: Record<string, unknown> = {}, withColumns = true): Record<string, unknown> {
  const columns = columnsFor(type);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns
      ? [
          { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 },
          ...columns.map(({ read: _r, ...c }) => c),
        ]
      : [],
    rows: objects.map((o) => ({ cells: [o.metadata.name, ...columns.map((c) => c.read(o) ?? null)], object: partialObjectMetadata(o) })),
  };
}
