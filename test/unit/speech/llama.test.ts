import Ajv from 'ajv';
import { createLlama } from '../../../infra/speech/llama';
import { ProviderError } from '../../../infra/speech/errors';
import { speechConfigFrom } from '../../../infra/speech-config';

jest.setTimeout(180_000);

describe('llama.cpp with the embedded model (SmolLM2-135M-Instruct from PyPI)', () => {
  const { config } = speechConfigFrom(() => undefined);
  // These tests ask for up to 300 tokens, far more than a phone reply, while the rest of the
  // suite shares the cores: the engine's 14 s turn budget is not what they test (a CI run on a
  // contended 2-core machine timed the uncapped story out).
  const llm = createLlama(config.llm, { timeoutMs: 90_000 });

  beforeAll(async () => {
    // Fetches the model into the models directory on the first run.
    await llm.check(() => undefined);
  });

  it('is the default LLM, named in its settings', () => {
    expect(config.llm).toMatchObject({ engine: 'llama', model: 'SmolLM2-135M-Instruct-Q4_1', base_url: '', model_path: '' });
  });

  it('answers a caller in words', async () => {
    const { reply, model } = await llm.chat(
      [
        { role: 'system', content: 'You are the receptionist of a dental clinic on the phone. Answer in one short sentence.' },
        { role: 'user', content: 'Hello, are you open on Saturday?' },
      ],
      { ...config.llm, max_tokens: 40 },
    );
    expect(model).toBe('SmolLM2-135M-Instruct-Q4_1');
    expect(reply.trim().split(/\s+/).length).toBeGreaterThan(2);
  });

  it('stops a reply after max_sentences sentences; 0 leaves only max_tokens', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are a storyteller. Tell a long story of at least ten sentences.' },
      { role: 'user' as const, content: 'Tell me a long story about a lighthouse keeper.' },
    ];
    const sentences = (text: string) => (text.match(/[.!?]["')\]]*(\s|$)/g) ?? []).length;
    const capped = await llm.chat(messages, { ...config.llm, temperature: 0, max_sentences: 2, max_tokens: 300 });
    expect(sentences(capped.reply)).toBeLessThanOrEqual(2);
    const uncapped = await llm.chat(messages, { ...config.llm, temperature: 0, max_sentences: 0, max_tokens: 300 });
    expect(sentences(uncapped.reply)).toBeGreaterThan(2);
    expect(uncapped.reply.startsWith(capped.reply)).toBe(true);
  });

  it('a background summary does not hold up a reply that arrives after it', async () => {
    const story = [
      { role: 'system' as const, content: 'You are a storyteller. Tell a long story of at least ten sentences.' },
      { role: 'user' as const, content: 'Tell me a long story about a lighthouse keeper.' },
    ];
    const order: string[] = [];
    // A summary (compactHistory's call) that runs for 300 tokens, then a short reply sent while it runs.
    const summary = llm.chat(story, { ...config.llm, temperature: 0, max_sentences: 0, max_tokens: 300 }, { background: true }).then((r) => {
      order.push('summary');
      return r;
    });
    await new Promise((r) => setTimeout(r, 200));
    const reply = await llm.chat([{ role: 'user', content: 'Say hello.' }], { ...config.llm, max_tokens: 8 });
    order.push('reply');
    const done = await summary;
    // One lane, as before, would answer the reply only after the summary's 300 tokens.
    expect(order).toEqual(['reply', 'summary']);
    expect(reply.reply.trim()).not.toBe('');
    expect(done.tokens).toBeGreaterThan(100);
  });

  it('answers JSON that fits the schema, always', async () => {
    const schema = {
      type: 'object',
      required: ['summary', 'day', 'price'],
      properties: { summary: { type: 'string' }, day: { type: 'string', enum: ['monday', 'thursday', 'unknown'] }, price: { type: 'number' } },
    };
    const answer = await llm.json(
      [
        { role: 'system', content: 'Extract facts from the call as JSON.' },
        { role: 'user', content: 'Callee: Thursday works, and the cleaning costs 90 dollars.\nAssistant: Thank you.' },
      ],
      schema,
      200,
    );
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(answer)).toBe(true);
  });

  it('says what to do when a configured model file is missing', async () => {
    const missing = createLlama({ ...config.llm, model_path: '/nonexistent/model.gguf' });
    const err = await missing.chat([{ role: 'user', content: 'hi' }], config.llm).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toMatch(/llama\.cpp \(model\.gguf\) could not start: .*Fix: check that PARLEY_LLM_MODEL_PATH/);
  });
});
