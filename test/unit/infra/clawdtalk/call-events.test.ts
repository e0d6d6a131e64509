/** A call record's final status in ClawdTalk's call.ended vocabulary. */
import { clawdtalkEnding } from '../../../../infra/clawdtalk/call-events';

const answeredAt = new Date();

test.each([
  [{ status: 'completed', outcome: 'answered', answeredAt }, { reason: 'user_hangup' }],
  [{ status: 'completed', outcome: 'voicemail', answeredAt }, { reason: 'user_hangup', outcome: 'voicemail' }],
  [{ status: 'no-answer', outcome: null, answeredAt: null }, { reason: 'no_answer', outcome: 'no_answer' }],
  [{ status: 'canceled', outcome: 'answered', answeredAt }, { reason: 'user_hangup' }],
  [{ status: 'canceled', outcome: null, answeredAt: null }, { reason: 'canceled' }],
  [{ status: 'busy', outcome: null, answeredAt: null }, { reason: 'busy' }],
  [{ status: 'failed', outcome: null, answeredAt: null }, { reason: 'failed' }],
])('%j → %j', (rec, expected) => {
  expect(clawdtalkEnding(rec)).toEqual(expected);
});
