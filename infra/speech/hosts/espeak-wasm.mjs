// espeak-ng compiled to WebAssembly (npm espeak-ng: the espeak-ng 1.51 program and its data,
// the same speech as Debian's package). The module is compiled once; each request runs the
// program in a fresh instance; the next instance is instantiated while the process is idle, so a
// request waits for espeak-ng's own start (unpacking its data) and the synthesis, not for the
// instantiation. Protocol: see ../engine-host.ts.
// {id, op:"speak", text, voice, wpm} → {id, ok, wav (base64 RIFF PCM16 mono 22.05 kHz)}.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import createEspeak from 'espeak-ng';
import { send, serve } from './serve.mjs';


// The module's file system throws thousands of errors while it unpacks espeak-ng's data at each
// start; capturing their stack traces was most of a request's time.
Error.stackTraceLimit = 0;

const wasmFile = path.join(path.dirname(createRequire(import.meta.url).resolve('espeak-ng')), 'espeak-ng.wasm');
let wasm;
try {
  wasm = await WebAssembly.compile(fs.readFileSync(wasmFile));
} catch (err) {
  send({ ready: false, error: String(err?.message ?? err) });
  process.exit(1);
}

/**
 * An instance whose main() waits for a request: the module runs its preRun hooks, then holds on a
 * run dependency; `run` fills in the arguments and the text and lets main() go.
 */
function prepare() {
  const args = [];
  const errors = [];
  let mod;
  let held;
  const waiting = new Promise((resolve) => (held = resolve));
  const finished = createEspeak({
    // Read by main() when it runs: filled in by run().
    arguments: args,
    printErr: (line) => errors.push(line),
    print: () => undefined,
    preRun: [
      (m) => {
        mod = m;
        m.addRunDependency('request');
        held();
      },
    ],
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(wasm, imports).then((inst) => done(inst, wasm));
      return {};
    },
  });
  return {
    async run(text, voice, wpm) {
      await waiting;
      // The text goes in through a file, never argv: no text can be taken for an option.
      mod.FS.writeFile('/in.txt', text);
      args.push('-w', '/out.wav', '-v', voice, '-s', String(wpm), '-f', '/in.txt');
      mod.removeRunDependency('request');
      const m = await finished;
      try {
        const wav = m.FS.readFile('/out.wav');
        return Buffer.from(wav.buffer, wav.byteOffset, wav.length);
      } catch {
        const reason = errors.find((e) => /^Error/.test(e)) ?? errors[0] ?? 'no audio produced';
        throw Object.assign(new Error(reason.replace(/^Error:\s*/, '')), { permanent: true });
      }
    },
  };
}

let spare = prepare();

async function speak(text, voice, wpm) {
  const instance = spare;
  spare = prepare();
  return instance.run(text, voice, wpm);
}

send({ ready: true });

serve(async (req) => ({ wav: (await speak(String(req.text), String(req.voice), Number(req.wpm))).toString('base64') }));
