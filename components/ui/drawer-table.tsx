'use client';

import type { RowData } from '@tanstack/react-table';
import type { ComponentProps, ReactNode } from 'react';
import { useUrlState } from '@/lib/url-state';
import { DataTable } from './data-table';
import { Drawer } from './drawer';

type TableProps<Row extends RowData> = Omit<ComponentProps<typeof DataTable<Row>>, 'openId' | 'onOpen'>;

/**
 * A DataTable whose rows open their details in the Drawer, the open row's id kept in the URL
 * under `openKey` (so a reload or a shared link opens it again). When the open row is gone
 * (deleted, or outside the selected namespace), the drawer says so instead of closing on the
 * person.
 */
export function DrawerTable<Row extends RowData>({
  openKey,
  title,
  details,
  missing,
  ...table
}: TableProps<Row> & {
  openKey: string;
  /** The drawer's title (its accessible name); `row` is undefined when the open row is not in view. */
  title: (row: Row | undefined, id: string) => string;
  details: (row: Row) => ReactNode;
  /** What the drawer says when the open row is not in view. */
  missing: (id: string) => string;
}) {
  const [open, setOpen] = useUrlState(openKey);
  const row = open ? table.rows.find((r) => table.getRowId(r) === open) : undefined;
  return (
    <>
      <DataTable<Row> {...table} openId={open || undefined} onOpen={(r) => setOpen(table.getRowId(r))} />
      <Drawer title={title(row, open)} open={Boolean(open)} onClose={() => setOpen(undefined)}>
        {row ? details(row) : <p className="state state-empty">{missing(open)}</p>}
      </Drawer>
    </>
  );
}
