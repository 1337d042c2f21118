'use client';

import {
  columnFacetingFeature,
  columnFilteringFeature,
  createFacetedRowModel,
  createFacetedUniqueValues,
  createFilteredRowModel,
  createSortedRowModel,
  filterFn_equalsString,
  filterFn_includesString,
  globalFilteringFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  tableFeatures,
  useTable,
  type ColumnDef,
  type ColumnFiltersState,
  type RowData,
  type SortingState,
  type Updater,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useMemo, useRef, useState, useSyncExternalStore, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { replaceSearchParams } from '@/lib/url-state';
import { useSearchParams } from 'next/navigation';
import styles from './data-table.module.css';

/** One column of a DataTable: what it shows, and (with `value`) how it sorts, filters and facets. */
export interface DataColumn<Row> {
  /** Stable id; also the name used in the URL's sort and facet parameters. */
  id: string;
  header: string;
  cell: (row: Row) => ReactNode;
  /** Sort key and text-filter value; without it the column neither sorts nor filters. */
  value?: (row: Row) => string | number;
  /** Offer a select of the column's distinct values as a filter. */
  facet?: boolean;
  /** CSS grid track; default minmax(6rem, 1fr). */
  width?: string;
  /** Hidden when the viewport is narrower than this many pixels (phones). */
  hideBelow?: number;
  align?: 'start' | 'end';
}

const features = tableFeatures({
  rowSortingFeature,
  globalFilteringFeature,
  columnFilteringFeature,
  columnFacetingFeature,
  sortedRowModel: createSortedRowModel(),
  filteredRowModel: createFilteredRowModel(),
  facetedRowModel: createFacetedRowModel(),
  facetedUniqueValues: createFacetedUniqueValues(),
  sortFns: { alphanumeric: sortFn_alphanumeric, basic: sortFn_basic },
  filterFns: { includesString: filterFn_includesString, equalsString: filterFn_equalsString },
});

type Features = typeof features;

const apply = <T,>(updater: Updater<T>, previous: T): T => (typeof updater === 'function' ? (updater as (old: T) => T)(previous) : updater);

/** The sort parameter is `id` (ascending) or `-id` (descending). */
function parseSort(raw: string | null): SortingState {
  if (!raw) return [];
  const desc = raw.startsWith('-');
  return [{ id: desc ? raw.slice(1) : raw, desc }];
}

function subscribeToResize(onChange: () => void) {
  window.addEventListener('resize', onChange);
  return () => window.removeEventListener('resize', onChange);
}

/** The viewport width; the server renders as if wide, so every column exists on first paint. */
function useViewportWidth(): number {
  return useSyncExternalStore(
    subscribeToResize,
    () => window.innerWidth,
    () => Number.POSITIVE_INFINITY,
  );
}

const INTERACTIVE = 'a, button, input, select, textarea, summary, [role="slider"], [role="switch"], [role="checkbox"]';

/**
 * The one list of every page: dense rows, sortable headers, a text filter and facet
 * selects (TanStack Table), only the rows in view rendered (TanStack Virtual), and
 * filter, sort and open row kept in the URL under `urlKey`.
 */
export function DataTable<Row extends RowData>({
  label,
  rows,
  columns,
  getRowId,
  urlKey,
  openId,
  onOpen,
  rowHeight = 40,
  empty,
  toolbar,
}: {
  label: string;
  rows: Row[];
  columns: DataColumn<Row>[];
  getRowId: (row: Row) => string;
  urlKey: string;
  openId?: string;
  onOpen?: (row: Row) => void;
  rowHeight?: number;
  empty: ReactNode;
  toolbar?: ReactNode;
}) {
  const search = useSearchParams();
  const param = (name: string) => `${urlKey}.${name}`;
  const urlFilter = search.get(param('q')) ?? '';
  // The box keeps its own text so typing never waits for the URL round trip.
  const [typed, setTyped] = useState<string | null>(null);
  const globalFilter = typed ?? urlFilter;
  const sorting = useMemo(() => parseSort(search.get(param('sort'))), [search, urlKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const facetColumns = columns.filter((c) => c.facet && c.value);
  const facetKey = facetColumns.map((c) => `${c.id}=${search.get(param(`f.${c.id}`)) ?? ''}`).join('&');
  const columnFilters = useMemo<ColumnFiltersState>(
    () => facetColumns.flatMap((c) => (search.get(param(`f.${c.id}`)) ? [{ id: c.id, value: search.get(param(`f.${c.id}`)) }] : [])),
    [facetKey], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const width = useViewportWidth();
  // Stable while the columns and the width are, so memoised rows skip re-rendering.
  const visible = useMemo(() => columns.filter((c) => !c.hideBelow || width >= c.hideBelow), [columns, width]);
  const template = visible.map((c) => c.width ?? 'minmax(6rem, 1fr)').join(' ');

  const firstRow = rows[0];
  const tableColumns = useMemo<ColumnDef<Features, Row>[]>(
    () =>
      columns.map((c) =>
        c.value
          ? {
              id: c.id,
              header: c.header,
              accessorFn: c.value,
              sortFn: firstRow !== undefined && typeof c.value(firstRow) === 'number' ? 'basic' : 'alphanumeric',
              filterFn: 'equalsString',
              enableGlobalFilter: true,
            }
          : { id: c.id, header: c.header, enableSorting: false, enableGlobalFilter: false },
      ),
    [columns, firstRow === undefined], // eslint-disable-line react-hooks/exhaustive-deps
  );

  const table = useTable({
    features,
    columns: tableColumns,
    data: rows,
    getRowId: (row) => getRowId(row),
    globalFilterFn: 'includesString',
    // Numbers are filterable as text too ("503" finds a 503 count).
    getColumnCanGlobalFilter: () => true,
    state: { sorting, globalFilter, columnFilters },
    onSortingChange: (updater) => {
      const next = apply(updater, sorting)[0];
      replaceSearchParams((p) => (next ? p.set(param('sort'), `${next.desc ? '-' : ''}${next.id}`) : p.delete(param('sort'))));
    },
    onGlobalFilterChange: (updater) => {
      const next = String(apply(updater, globalFilter) ?? '');
      setTyped(next);
      replaceSearchParams((p) => (next ? p.set(param('q'), next) : p.delete(param('q'))));
    },
    onColumnFiltersChange: (updater) => {
      const next = apply(updater, columnFilters);
      replaceSearchParams((p) => {
        for (const c of facetColumns) {
          const value = next.find((f) => f.id === c.id)?.value;
          if (value) p.set(param(`f.${c.id}`), String(value));
          else p.delete(param(`f.${c.id}`));
        }
      });
    },
  });

  const shown = table.getRowModel().rows;
  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change identity on scroll by design; rows re-render from its items.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 6,
    getItemKey: (index) => shown[index]!.id,
  });

  const open = useCallback(
    (event: MouseEvent<HTMLDivElement> | KeyboardEvent<HTMLDivElement>, row: Row) => {
      if (!onOpen) return;
      // A click on a slider or a button in the row is that control's, not the row's.
      if ((event.target as HTMLElement).closest(INTERACTIVE) !== null && event.target !== event.currentTarget) return;
      if ('key' in event && event.key !== 'Enter') return;
      onOpen(row);
    },
    [onOpen],
  );

  const items = virtualizer.getVirtualItems();
  return (
    <div className={styles.wrap}>
      <div className={styles.toolbar}>
        <input
          type="search"
          role="searchbox"
          aria-label={`Filter ${label}`}
          placeholder="Filter…"
          className={styles.filter}
          value={globalFilter}
          onChange={(e) => table.setGlobalFilter(e.target.value)}
        />
        {facetColumns.map((c) => {
          const column = table.getColumn(c.id)!;
          const values = [...column.getFacetedUniqueValues().keys()].map(String).sort((a, b) => a.localeCompare(b));
          const current = String(column.getFilterValue() ?? '');
          return (
            <label key={c.id} className={styles.facet}>
              <select aria-label={`Filter by ${c.header}`} value={current} onChange={(e) => column.setFilterValue(e.target.value || undefined)}>
                <option value="">{`Any ${c.header.toLowerCase()}`}</option>
                {current && !values.includes(current) && <option value={current}>{current}</option>}
                {values.map((v) => (
                  <option key={v} value={v}>
                    {v}
                  </option>
                ))}
              </select>
            </label>
          );
        })}
        {toolbar}
        <span className={styles.count} role="status" aria-live="polite">
          {shown.length === rows.length ? `${rows.length}` : `${shown.length} of ${rows.length}`}
        </span>
      </div>
      <div role="table" aria-label={label} aria-rowcount={shown.length + 1} className={styles.table}>
        <div ref={scroller} className={styles.scroll} data-scroll="">
          <div role="rowgroup" className={styles.head}>
            <div role="row" aria-rowindex={1} className={styles.row} style={{ gridTemplateColumns: template }}>
              {visible.map((c) => {
                const column = table.getColumn(c.id)!;
                const sorted = column.getIsSorted();
                return (
                  <div
                    key={c.id}
                    role="columnheader"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    className={c.align === 'end' ? styles.end : undefined}
                  >
                    {column.getCanSort() ? (
                      <button type="button" className={styles.sort} aria-label={`Sort by ${c.header}`} onClick={column.getToggleSortingHandler()}>
                        {c.header}
                        <span aria-hidden="true">{sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}</span>
                      </button>
                    ) : (
                      c.header
                    )}
                  </div>
                );
              })}
            </div>
          </div>
          <div role="rowgroup" className={styles.body} style={{ height: virtualizer.getTotalSize() }}>
            {items.map((item) => {
              const row = shown[item.index]!;
              return (
                <TableRow
                  key={row.id}
                  index={item.index}
                  start={item.start}
                  measure={virtualizer.measureElement}
                  row={row.original}
                  columns={visible}
                  template={template}
                  isOpen={openId === row.id}
                  onActivate={onOpen ? open : undefined}
                />
              );
            })}
          </div>
          {shown.length === 0 && <p className={styles.empty}>{empty}</p>}
        </div>
      </div>
    </div>
  );
}

interface TableRowProps<Row> {
  index: number;
  start: number;
  measure: (element: Element | null) => void;
  row: Row;
  columns: DataColumn<Row>[];
  template: string;
  isOpen: boolean;
  onActivate?: (event: MouseEvent<HTMLDivElement> | KeyboardEvent<HTMLDivElement>, row: Row) => void;
}

// Memoised so a live number changing in one row does not re-render the rows around it.
const TableRow = memo(function TableRow<Row>({ index, start, measure, row, columns, template, isOpen, onActivate }: TableRowProps<Row>) {
  return (
    <div
      role="row"
      ref={measure}
      data-index={index}
      aria-rowindex={index + 2}
      aria-selected={onActivate ? isOpen : undefined}
      tabIndex={onActivate ? 0 : undefined}
      className={`${styles.row} ${onActivate ? styles.clickable : ''} ${isOpen ? styles.open : ''}`}
      style={{ gridTemplateColumns: template, transform: `translateY(${start}px)` }}
      onClick={onActivate && ((e) => onActivate(e, row))}
      onKeyDown={onActivate && ((e) => onActivate(e, row))}
    >
      {columns.map((c) => (
        <div key={c.id} role="cell" className={c.align === 'end' ? styles.end : undefined}>
          {c.cell(row)}
        </div>
      ))}
    </div>
  );
}) as <Row>(props: TableRowProps<Row>) => ReactNode;
