// The engine hosts' side of the JSON-lines protocol (infra/speech/engine-host.ts): one message a
// line on stdout; requests on stdin answered one at a time, in order (each engine is single-threaded).
// A request may name a `lane` (the llama host's "background" one): each lane keeps its own order,
// and lanes run side by side, so a caller's reply never queues behind background work.
import readline from 'node:readline';

export const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

/** Answers each request line with `{id, ok:true, ...result}` or `{id, ok:false, error, retryable}`; exits when stdin closes. */
export function serve(handle) {
  const lanes = new Map();
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    let req;
    try {
      req = JSON.parse(line);
    } catch (err) {
      send({ ok: false, error: `bad request line: ${String(err?.message ?? err)}`, retryable: false });
      return;
    }
    const lane = typeof req.lane === 'string' ? req.lane : '';
    const next = (lanes.get(lane) ?? Promise.resolve()).then(async () => {
      try {
        send({ id: req.id, ok: true, ...(await handle(req)) });
      } catch (err) {
        send({ id: req.id, ok: false, error: String(err?.message ?? err), retryable: !err?.permanent });
      }
    });
    lanes.set(lane, next);
  });
  lines.on('close', () => Promise.all(lanes.values()).then(() => process.exit(0)));
}
