/**
 * The `echo` responder, used when no LLM base URL is configured (there is no in-process
 * model, §4.3). It repeats the caller's words so a phone setup can be tried end to end;
 * it never pretends to understand or to be a language model.
 */
import type { ChatMessage } from './openai-providers';

export const ECHO_MODEL = 'echo';

/** Replies from the newest user message, deterministically. */
export function echoReply(messages: ChatMessage[]): string {
  const transcript = [...messages].reverse().find((m) => m.role === 'user')?.content.trim() ?? '';
  return transcript === '' ? 'I did not hear anything to repeat.' : `You said: ${transcript}`;
}
