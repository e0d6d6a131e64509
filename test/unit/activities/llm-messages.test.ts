/** G26: the LLM request follows gateway-protocol §2.4 step 11 exactly. */
import { buildLlmMessages, callerPolicy, matchesPassphrase } from '../../../activities/turn';
import { callSettingsFrom } from '../../../infra/settings';

test('G26 system (instruction ‖ base + supplement + facts), summary, newest history, user', () => {
  const messages = buildLlmMessages({
    basePrompt: 'BASE',
    language: '',
    sessionInstruction: '',
    turnSupplement: 'Mention the sale.',
    context: 'Shop closes at 6.',
    summary: 'Caller is Ada.',
    history: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }],
    transcript: 'when do you close?',
  });
  expect(messages).toEqual([
    { role: 'system', content: 'BASE\n\nMention the sale.\n\nIMPORTANT — use the following facts when answering:\nShop closes at 6.' },
    { role: 'system', content: 'Summary of earlier conversation:\nCaller is Ada.' },
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'hello' },
    { role: 'user', content: 'when do you close?' },
  ]);
  const withInstruction = buildLlmMessages({ basePrompt: 'BASE', language: 'German', sessionInstruction: 'SESSION', turnSupplement: '', context: '', summary: '', history: [], transcript: 'x' });
  expect(withInstruction[0]).toEqual({ role: 'system', content: 'SESSION\n\nAlways answer in German.' });
  expect(withInstruction).toHaveLength(2);
});

test('passphrase: lower-cased, non-word characters stripped, substring', () => {
  expect(matchesPassphrase('Hi! It is: blue-HARBOR, okay?', 'Blue Harbor')).toBe(true);
  expect(matchesPassphrase('blue harbour', 'Blue Harbor')).toBe(false);
  expect(matchesPassphrase('anything', '')).toBe(false);
});

test('caller policy: incoming only, blocklist first, empty allowlist allows all, blank numbers', () => {
  const settings = callSettingsFrom((k) => ({ caller_blocklist: '["+15550100001"]', caller_allowlist: '["+15550100001","+15550100002"]' } as Record<string, string>)[k]);
  expect(callerPolicy(settings, '+1 555 010 0001', 'incoming')).toBe('blocklisted');
  expect(callerPolicy(settings, '+15550100002', 'incoming')).toBeNull();
  expect(callerPolicy(settings, '+15550100003', 'incoming')).toBe('not_allowlisted');
  expect(callerPolicy(settings, '+15550100003', 'outgoing')).toBeNull();
  expect(callerPolicy({ ...settings, unknown_callers_allowed: false }, '', 'incoming')).toBe('unknown_caller');
});
