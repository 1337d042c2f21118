// Prints N ports that nothing listens on (the OS picks them), space-separated. Holds them all
// open until every one is picked, so the N are distinct. Used by playwright.config.ts, which
// must decide its ports synchronously.
import { createServer } from 'node:net';

const count = Number(process.argv[2] ?? 1);
const servers = await Promise.all(
  Array.from(
    { length: count },
    () =>
      new Promise((resolve, reject) => {
        const server = createServer().once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      }),
  ),
);
console.info(servers.map((s) => s.address().port).join(' '));
await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
