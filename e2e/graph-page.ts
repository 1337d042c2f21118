// The Graph page as a person (or a screen reader) reads it: its text alternative, the tables
// "Graph nodes" and "Graph edges", found by column and cell, and the side panel a selected row
// opens. The tables render only the rows in view, so a lookup first narrows the table with its
// filter box, as a person looking for one service would.
import { expect, type Locator, type Page } from '@playwright/test';

/** The seed namespace over the graph's shortest window: a change shows in its rates within seconds. */
export const GRAPH = '/graph?namespace=ai-nutritionist&window=30s';

/** The page refreshes the graph this often (components/graph/graph-page.tsx REFRESH_MS). */
export const REFRESH_MS = 10_000;

type Of = 'nodes' | 'edges';

const table = (page: Page, of: Of) => page.getByRole('table', { name: `Graph ${of}` });

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How a table names one end of an edge: `nutrition-service canary` for a version, `nutrition-service`
 * for a service or the gateway, the kind after it where the table shows it (`nutrition-service service`).
 */
export const end = (label: string, kind?: 'service' | 'gateway' | 'unknown') => new RegExp(`^${escape(label)}${kind ? `(?: ${kind})?` : ''}$`);

/** A node's name cell: the name, then tags (`tripped`, `emergency`) or its kind on narrow screens. */
const nodeName = (name: string) => new RegExp(`^${escape(name)}(?: |$)`);

async function columnIndex(page: Page, of: Of, header: string): Promise<number> {
  const headers = (await table(page, of).getByRole('columnheader').allTextContents()).map((h) => h.replace(/[▲▼]/g, '').trim());
  const index = headers.indexOf(header);
  expect(index, `column ${header} among ${headers.join(', ')}`).toBeGreaterThanOrEqual(0);
  return index;
}

/** The rows whose cells under the given headers have the given names (hidden columns are not rendered). */
async function rowsWhere(page: Page, of: Of, cells: Record<string, RegExp>): Promise<Locator> {
  let rows = table(page, of).getByRole('row');
  for (const [header, name] of Object.entries(cells)) {
    const index = await columnIndex(page, of, header);
    rows = rows.filter({ has: page.locator(`[role="cell"]:nth-child(${index + 1})`).and(page.getByRole('cell', { name })) });
  }
  return rows;
}

/** Shows only the rows that mention `text` (the table's own filter box). */
export const narrow = (page: Page, of: Of, text: string) => page.getByRole('searchbox', { name: `Filter Graph ${of}` }).fill(text);

/** A node's row: kind (`service`, `gateway`, `workload`) and name; a workload's version too. */
export async function nodeRow(page: Page, kind: string, name: string, version?: string): Promise<Locator> {
  await narrow(page, 'nodes', name);
  return rowsWhere(page, 'nodes', { Kind: new RegExp(`^${kind}$`), 'App / name': nodeName(name), ...(version ? { Version: new RegExp(`^${version}$`) } : {}) });
}

/** An edge's row by its two ends (see `end`). */
export async function edgeRow(page: Page, from: RegExp, to: RegExp, narrowTo: string): Promise<Locator> {
  await narrow(page, 'edges', narrowTo);
  return rowsWhere(page, 'edges', { From: from, To: to });
}

/** The text of `row`'s cell under `header`. */
export async function cellText(page: Page, of: Of, row: Locator, header: string): Promise<string> {
  const index = await columnIndex(page, of, header);
  return ((await row.getByRole('cell').nth(index).textContent()) ?? '').trim();
}

const SUFFIX: Record<string, number> = { '': 1, k: 1e3, M: 1e6 };

/** "62.1/s" → 62.1, "1.2k/s" → 1200; NaN for "–". */
export function rateValue(text: string): number {
  const match = /^([\d.]+)\s*([kM]?)\/s$/.exec(text.trim());
  return match ? Number(match[1]) * SUFFIX[match[2]!]! : NaN;
}

/** "11.7%" → 0.117; NaN for "–". */
export function percentValue(text: string): number {
  const match = /([\d.]+)%/.exec(text);
  return match ? Number(match[1]) / 100 : NaN;
}

/** A number in a row's cell; NaN while the row is not (yet) in the table, for expect.poll. */
export async function value(page: Page, of: Of, row: Promise<Locator>, header: string, parse: (text: string) => number): Promise<number> {
  const found = await row;
  if ((await found.count()) !== 1) return NaN;
  return parse(await cellText(page, of, found, header));
}

/** The page has drawn a graph: the canvas names its size and has laid it out once. */
export async function expectDrawn(page: Page) {
  const canvas = page.getByRole('application', { name: /^Service graph: \d+ nodes, \d+ edges$/ });
  await expect(canvas).toBeVisible({ timeout: 20_000 });
  await expect(canvas).toHaveAttribute('data-graph-drawn', /^[1-9]\d*$/, { timeout: 20_000 });
}
