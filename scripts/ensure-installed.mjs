// Runs before `npm test` and `npm run demo` so both work on a fresh clone: it may run
// under the system Node (20 here), so it sticks to APIs every maintained Node has.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const pinnedNode = 'node_modules/.bin/node';
if (!existsSync(pinnedNode) || !existsSync('node_modules/.bin/next')) {
  console.info('meshdeck: dependencies are not installed; running `npm ci` (this also fetches the pinned Node 24)…');
  const result = spawnSync('npm', ['ci'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
