/**
 * Conversation insights (spec E08): after an answered call, the assistant's insight template and
 * its JSON Schema go to the LLM with the transcript; the answer is validated with ajv. The
 * embedded model decodes under a grammar built from the schema, so its answer always fits; an
 * OpenAI-compatible server is asked for JSON. Temporal retries a bad or failed answer; the fifth
 * failure is stored as `failed`.
 */
import Ajv from 'ajv';
import { Context } from '@temporalio/activity';
import type { Db } from '../../infra/db';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';
import { createLlama } from '../../infra/speech/llama';
import { createOpenAIClient, type ChatMessage } from '../../infra/speech/openai-providers';
import type { LlmSettings } from '../../infra/speech-config';

export interface InsightTemplate {
  name: string;
  instructions: string;
  schema: Record<string, unknown>;
}

export const DEFAULT_INSIGHT: InsightTemplate = {
  name: 'summary',
  instructions: 'Summarise the call in one or two sentences in `summary`, and put any facts learned (prices, dates, availability, names) in further fields.',
  schema: { type: 'object', required: ['summary'], properties: { summary: { type: 'string' } } },
};

/** Tries before an insight is stored as `failed` (the activity's retry policy allows as many). */
export const INSIGHT_MAX_TRIES = 5;
const LLM_TIMEOUT_MS = 30_000;
/** Enough for a summary and a few facts; the grammar closes the object within it. */
const INSIGHT_MAX_TOKENS = 300;

/** The model's answer as a JSON value: grammar-constrained locally, extracted from text remotely. */
async function askForJson(llm: LlmSettings, messages: ChatMessage[], schema: Record<string, unknown>): Promise<unknown> {
  if (llm.engine === 'llama') return createLlama(llm).json(messages, schema, INSIGHT_MAX_TOKENS);
  const client = createOpenAIClient({ base_url: llm.base_url, api_key: llm.api_key }, LLM_TIMEOUT_MS);
  const completion = await client.chat.completions.create({ model: llm.model, temperature: 0, messages });
  const text = completion.choices[0]?.message?.content ?? '';
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (!json) throw new Error(`the model answered no JSON object: ${text.slice(0, 200)}`);
  return JSON.parse(json);
}

export function createInsightActivities(deps: { db: Db; settings: Pick<RuntimeSettingsService, 'current'> }) {
  const { db } = deps;
  const ajv = new Ajv({ allErrors: true, strict: false });

  async function save(callId: string, name: string, data: { status: string; result: string; structured?: object | null; error?: string | null }) {
    const fields = { status: data.status, result: data.result, structuredJson: data.structured ? JSON.stringify(data.structured) : null, error: data.error ?? null };
    await db.insight.upsert({ where: { callId_name: { callId, name } }, create: { id: `${callId}-${name}`, callId, name, ...fields }, update: fields });
  }

  return {
    /** Extracts the assistant's insight from a call's transcript and stores it; returns it as stored. */
    async extractInsights(input: { callId: string; assistantId: string; template?: InsightTemplate }): Promise<{ status: string; result: string; structured: Record<string, unknown> | null }> {
      const rec = await db.callRecord.findUnique({ where: { id: input.callId } });
      // The assistant is read only when the call lacks what it gives: a declarative run's call
      // brings its spec's template (others use the assistant's), and the call record keeps the
      // instructions it was placed with.
      const assistant = !input.template || !rec?.instructions ? await db.assistant.findUnique({ where: { id: input.assistantId } }) : null;
      const template: InsightTemplate = input.template ?? (assistant?.insightsJson ? { ...DEFAULT_INSIGHT, ...JSON.parse(assistant.insightsJson) } : DEFAULT_INSIGHT);
      const turns = rec?.sessionId ? await db.turn.findMany({ where: { sessionId: rec.sessionId }, orderBy: { seq: 'asc' } }) : [];
      const transcript = turns.flatMap((t) => [t.transcript ? `Callee: ${t.transcript}` : '', t.reply ? `Assistant: ${t.reply}` : '']).filter(Boolean).join('\n');
      const settings = await deps.settings.current();
      const llm = settings.speech.llm;
      if (llm.engine === 'echo') {
        // No language model: say so instead of inventing an insight.
        const error = 'no LLM configured: the echo responder (PARLEY_LLM_ENGINE=echo) is not a language model, and insights need one';
        await save(input.callId, template.name, { status: 'failed', result: '', error });
        return { status: 'failed', result: '', structured: null };
      }
      const attempt = Context.current().info.attempt;
      try {
        const structured = (await askForJson(llm, [
          {
            role: 'system',
            content: `You extract insights from phone call transcripts. ${template.instructions}\nAnswer with one JSON object only, valid against this JSON Schema:\n${JSON.stringify(template.schema)}`,
          },
          { role: 'user', content: `Assistant instructions: ${rec?.instructions || assistant?.instructions || ''}\n\nTranscript:\n${transcript || '(no words were exchanged)'}` },
        ], template.schema)) as Record<string, unknown>;
        const validate = ajv.compile(template.schema);
        if (!validate(structured)) throw new Error(`the model's JSON does not fit the schema: ${ajv.errorsText(validate.errors)}`);
        const result = typeof structured.summary === 'string' ? structured.summary : JSON.stringify(structured);
        await save(input.callId, template.name, { status: 'completed', result, structured });
        return { status: 'completed', result, structured };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (attempt < INSIGHT_MAX_TRIES) throw err;
        await save(input.callId, template.name, { status: 'failed', result: '', error: message });
        return { status: 'failed', result: '', structured: null };
      }
    },
  };
}

export type InsightActivities = ReturnType<typeof createInsightActivities>;
