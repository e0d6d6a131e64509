/** The voice plane's worker settings: defaults, and a bad value stops the worker at boot. */
import { botSettings } from '../../../activities/clawdtalk';

const config = (values: Record<string, string>) => ({ lookup: (key: string) => values[key] });

test('every caller turn goes to the bot for 20 s by default', () => {
  expect(botSettings(config({}))).toEqual({ policy: 'every_turn', deepToolTimeoutMs: 20_000 });
});

test('the policy and the timeout are configurable', () => {
  expect(botSettings(config({ bot_deep_tool_policy: 'off', bot_deep_tool_timeout: '45' }))).toEqual({ policy: 'off', deepToolTimeoutMs: 45_000 });
});

test.each([
  [{ bot_deep_tool_policy: 'sometimes' }, /bot_deep_tool_policy/],
  [{ bot_deep_tool_timeout: '0' }, /bot_deep_tool_timeout/],
  [{ bot_deep_tool_timeout: '1.5' }, /bot_deep_tool_timeout/],
  [{ bot_deep_tool_timeout: 'soon' }, /bot_deep_tool_timeout/],
])('%j is refused', (values, message) => {
  expect(() => botSettings(config(values))).toThrow(message);
});
