// The engine hosts' side of the JSON-lines protocol (infra/speech/engine-host.ts): one message a
// line on stdout; requests on stdin answered one at a time, in order (each engine is single-threaded).
import readline from 'node:readline';

export const send = (msg) => process.stdout.write(`${JSON.stringify(msg)}\n`);

/** Answers each request line with `{id, ok:true, ...result}` or `{id, ok:false, error, retryable}`; exits when stdin closes. */
export function serve(handle) {
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      let req;
      try {
        req = JSON.parse(line);
        send({ id: req.id, ok: true, ...(await handle(req)) });
      } catch (err) {
        send({ id: req?.id, ok: false, error: String(err?.message ?? err), retryable: !err?.permanent });
      }
    });
  });
  lines.on('close', () => queue.then(() => process.exit(0)));
}
