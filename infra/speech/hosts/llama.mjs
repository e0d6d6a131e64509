// An instruction-tuned GGUF model on llama.cpp (npm node-llama-cpp, prebuilt CPU binaries),
// one request at a time per lane. Protocol: see ../engine-host.ts. Arguments: <model.gguf>
// <threads> <context>.
// {id, op:"chat", messages, maxTokens, temperature, topP, topK, repeatPenalty, stop, maxSentences?,
//   lane?:"background"} → {id, ok, reply, ttftMs, tokens}
//   The background lane (a history summary: work no caller waits for) runs beside the replies on a
//   context of its own, so a reply neither queues behind it nor loses its evaluated prefix to it.
// {id, op:"json", messages, schema, maxTokens} → {id, ok, json}: decoding constrained by a
//   grammar built from the JSON Schema, so the answer always parses and fits it.
import path from 'node:path';
import { getLlama, LlamaChatSession } from 'node-llama-cpp';
import { send, serve } from './serve.mjs';

const [modelPath, threadsArg, contextArg] = process.argv.slice(2);

/** The background lane's context: a summary's prompt is a few turns and the earlier summary. */
const BACKGROUND_CONTEXT = 4096;

let llama;
let model;
let context;
let background;
try {
  // build: 'never' — use the prebuilt binary from npm; never compile or download at run time.
  llama = await getLlama({ gpu: false, build: 'never', logLevel: 'error' });
  model = await llama.loadModel({ modelPath });
  context = await model.createContext({ contextSize: { max: Number(contextArg) }, threads: Number(threadsArg) });
  background = await model.createContext({ contextSize: { max: Math.min(Number(contextArg), BACKGROUND_CONTEXT) }, threads: Number(threadsArg) });
} catch (err) {
  send({ ready: false, error: String(err?.message ?? err) });
  process.exit(1);
}
const sequences = { main: context.getSequence(), background: background.getSequence() };
send({ ready: true, model: path.basename(modelPath), contextSize: context.contextSize, threads: Number(threadsArg) });

/** Chat messages → the model's chat history (system messages joined) and the last user turn. */
function toHistory(messages) {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const rest = messages.filter((m) => m.role !== 'system');
  const last = rest.length > 0 && rest[rest.length - 1].role === 'user' ? rest.pop().content : '';
  const history = system ? [{ type: 'system', text: system }] : [];
  for (const m of rest) history.push(m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] });
  return { history, prompt: last };
}

async function withSession(messages, run, sequence = sequences.main) {
  const { history, prompt } = toHistory(messages);
  // Each request carries its whole conversation, but the sequence keeps what it evaluated last:
  // node-llama-cpp reuses the longest common token prefix and evaluates only the rest. A call's
  // next turn shares the system prompt and all earlier turns with the last one, so its time to
  // first token stays flat as the call grows instead of re-reading the conversation every turn
  // (a cleared sequence measured 1.8 → 7.4 s by the fourth turn on a loaded 2-core box, against
  // a flat 0.5–0.8 s with reuse). Another call's request only shares a shorter prefix.
  const session = new LlamaChatSession({ contextSequence: sequence, autoDisposeSequence: false });
  try {
    session.setChatHistory(history);
    return await run(session, prompt);
  } finally {
    session.dispose({ disposeSequence: false });
  }
}

/** Sentence ends in a reply so far: . ! or ? followed by whitespace (a decimal point is not). */
const SENTENCE_END = /[.!?]["')\]]*\s/g;

async function chat(req) {
  const sequence = req.lane === 'background' ? sequences.background : sequences.main;
  return withSession(req.messages, async (session, prompt) => {
    const start = performance.now();
    let ttftMs = 0;
    let tokens = 0;
    // maxSentences: generation stops once the reply holds that many sentences (the end of the
    // last one is seen when the next token starts with a space); the rest would not be spoken.
    const enough = new AbortController();
    let text = '';
    const reply = await session.prompt(prompt, {
      ...(req.maxSentences ? { signal: enough.signal, stopOnAbortSignal: true } : {}),
      onTextChunk(chunk) {
        if (!req.maxSentences || enough.signal.aborted) return;
        text += chunk;
        if ((text.match(SENTENCE_END) ?? []).length >= req.maxSentences) enough.abort();
      },
      maxTokens: req.maxTokens,
      temperature: req.temperature,
      ...(req.topP !== undefined ? { topP: req.topP } : {}),
      ...(req.topK ? { topK: req.topK } : {}),
      ...(req.repeatPenalty && req.repeatPenalty !== 1 ? { repeatPenalty: { penalty: req.repeatPenalty } } : {}),
      ...(req.stop?.length ? { customStopTriggers: req.stop } : {}),
      onToken(t) {
        if (tokens === 0) ttftMs = Math.round(performance.now() - start);
        tokens += t.length;
      },
    });
    return { reply: req.maxSentences ? firstSentences(reply, req.maxSentences) : reply, ttftMs, tokens };
  }, sequence);
}

/** The first `n` sentences of `text` (the chunk that revealed the last end may carry more). */
function firstSentences(text, n) {
  SENTENCE_END.lastIndex = 0;
  let end = -1;
  for (let i = 0; i < n; i++) {
    const m = SENTENCE_END.exec(text);
    if (!m) return text;
    end = m.index + m[0].length;
  }
  SENTENCE_END.lastIndex = 0;
  return text.slice(0, end).trimEnd();
}

// A grammar closes the JSON only if the model stops on its own: a string or list left unbounded
// can run past maxTokens and leave it unterminated. Bounds are added where the schema has none;
// the caller still validates the answer against the schema as given.
const MAX_STRING = 200;
const MAX_ITEMS = 5;
function bounded(schema) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out = { ...schema };
  if (out.type === 'string' && out.maxLength === undefined && out.enum === undefined && out.const === undefined) out.maxLength = MAX_STRING;
  if (out.type === 'array' && out.maxItems === undefined) out.maxItems = Math.max(MAX_ITEMS, out.minItems ?? 0);
  if (out.items) out.items = bounded(out.items);
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, bounded(v)]));
  for (const key of ['anyOf', 'oneOf', 'allOf']) if (Array.isArray(out[key])) out[key] = out[key].map(bounded);
  return out;
}

async function json(req) {
  const grammar = await llama.createGrammarForJsonSchema(bounded(req.schema));
  return withSession(req.messages, async (session, prompt) => {
    const text = await session.prompt(prompt, { grammar, maxTokens: req.maxTokens, temperature: 0 });
    return { json: grammar.parse(text) };
  });
}

const ops = { chat, json };
serve((req) => {
  const op = ops[req.op];
  if (!op) throw new Error(`unknown op ${req.op}`);
  return op(req);
});
