/**
 * Ports for the servers the tests start by number (npm start's API, dev server and UI, a
 * metrics endpoint, an adb server). A port found by binding port 0 comes from the kernel's
 * ephemeral range (32768-60999 here), where every other process's listen(0) and outgoing
 * connection draws too: between finding it and the server binding it (npm start checks its
 * engines first, seconds) a parallel test's dev server could take it ("bind: address already
 * in use"). These come from below that range, from a block of their own per jest worker.
 */
import net from 'node:net';

const BLOCK = 500;
const FIRST = 20_000;
// The global setup runs outside any worker (no JEST_WORKER_ID): block 0.
const worker = Number(process.env.JEST_WORKER_ID ?? 0);
const base = FIRST + (worker % 24) * BLOCK;
// Files that run one after another in a worker start at different places in its block.
let next = Math.floor(Math.random() * BLOCK);

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function testPort(): Promise<number> {
  for (let tried = 0; tried < BLOCK; tried += 1) {
    const port = base + (next++ % BLOCK);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free port in ${base}-${base + BLOCK - 1} (this jest worker's block)`);
}
