// Prints each runner's totals, then the grand total, from the JSON reports the runners wrote.
import { existsSync, readFileSync } from 'node:fs';

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined);
const rows = [];

const vitest = read('reports/vitest.json');
if (vitest) rows.push(['unit', vitest.numPassedTests, vitest.numFailedTests, vitest.numPendingTests + vitest.numTodoTests]);
const playwright = read('reports/playwright.json');
if (playwright) rows.push(['e2e', playwright.stats.expected + playwright.stats.flaky, playwright.stats.unexpected, playwright.stats.skipped]);

let passed = 0;
let failed = 0;
for (const [name, p, f, s] of rows) {
  console.info(`${name}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
}
if (rows.length === 0) console.info('no test reports found');
else console.info(`total: ${passed} passed, ${failed} failed`);
