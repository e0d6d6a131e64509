/**
 * Reply cleaning (contract §2.3): what reaches TTS and history is plain speakable text,
 * without reasoning blocks, markdown or control characters.
 */

/** Said when the LLM's reply is empty after cleaning. */
export const EMPTY_REPLY = 'Got it. Please continue.';

/** Removes `<think>` blocks, including an unclosed one (cut by max_tokens) and an opening tag the chat template sent itself. */
function stripThinking(text: string): string {
  return text
    .replace(/<think>[\s\S]*?<\/think>/gi, ' ')
    .replace(/^[\s\S]*?<\/think>/i, ' ')
    .replace(/<think>[\s\S]*$/i, ' ');
}

function stripMarkdown(text: string): string {
  return (
    text
      // Code fences: drop the fence lines, keep the code.
      .replace(/^\s*(```|~~~)[^\n]*$/gm, '')
      .replace(/`([^`\n]+)`/g, '$1')
      // Images and links: keep the words.
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
      // Headings, quotes, rules, bullets (numbered items keep their numbers: they carry meaning).
      .replace(/^\s{0,3}#{1,6}\s+/gm, '')
      .replace(/^\s*>\s?/gm, '')
      .replace(/^\s*([-*_])(\s*\1){2,}\s*$/gm, '')
      .replace(/^\s*[-*+•]\s+/gm, '')
      // Emphasis, strongest first; `_` only around words, so snake_case survives.
      .replace(/(\*\*|__)(?=\S)([\s\S]*?\S)\1/g, '$2')
      .replace(/\*(?=\S)([^*\n]*?\S)\*/g, '$1')
      .replace(/(^|[^\w])_(?=\S)([^_\n]*?\S)_(?!\w)/g, '$1$2')
      .replace(/~~(?=\S)([\s\S]*?\S)~~/g, '$1')
  );
}

/** Cleans an LLM reply for speech and history; never returns an empty string. */
export function cleanReply(raw: string): string {
  const text = stripMarkdown(stripThinking(raw))
    // C0 and C1 controls (newlines and tabs included) become spaces, then runs collapse.
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? EMPTY_REPLY : text;
}
