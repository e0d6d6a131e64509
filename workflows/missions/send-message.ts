import type { SendSmsInput } from '../../activities/missions/calls';
import { calls } from './activities';

/** One SMS sent now (POST /v1/messages/send, `message-<id>`): the line's driver sends it. */
export async function sendMessageWorkflow(input: SendSmsInput): Promise<{ ok: boolean; detail: string }> {
  return calls.sendSms(input);
}
