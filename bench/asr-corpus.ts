/**
 * The fixed ASR corpus: what callers say on the simulated phone, as text. The audio is made from
 * it deterministically by the embedded espeak-ng (the same bytes as Debian's espeak-ng 1.51), so
 * only this text is committed. 50 utterances in the simulated phone's voice (`en-us`) and 20 in a
 * second voice (`en-us+f3`, a female variant at a slower pace).
 */
export interface Utterance {
  id: string;
  voice: string;
  speed: number;
  text: string;
}

const SENTENCES = [
  'Hello, I would like to book a table for two.',
  'How are you doing today?',
  'Can I speak to the manager please?',
  'What time do you open tomorrow?',
  'I need to change my appointment.',
  'Thursday at seven works for me.',
  'My name is John Smith.',
  'Do you have any rooms available this weekend?',
  'How much does a cleaning cost?',
  'Yes, that sounds good.',
  'No, thank you, that is all.',
  'Could you call me back later?',
  'I am calling about my order.',
  'The package never arrived.',
  'Is the store open on Sunday?',
  'I would like to cancel my subscription.',
  'Please send me the invoice by email.',
  'What is your address?',
  'I will be there in ten minutes.',
  'Can you repeat that please?',
  'The price is two hundred dollars.',
  'We are closed on public holidays.',
  'Do you deliver to my area?',
  'I have a question about my bill.',
  'My phone number is five five five one two three four.',
  'Good morning, this is the dental clinic.',
  'I need a doctor appointment next week.',
  'Is there parking near the office?',
  'How long will the repair take?',
  'I want to pay with a credit card.',
  'The meeting starts at nine in the morning.',
  'Thank you very much for your help.',
  'Sorry, I did not catch that.',
  'Can I leave a message?',
  'She is not available right now.',
  'We can offer you a discount.',
  'The flight leaves at half past six.',
  'Please hold the line for a moment.',
  'I am looking for a new apartment.',
  'Is breakfast included in the price?',
  'The weather is nice today.',
  'I would like to order a large pizza.',
  'How many people are in your party?',
  'We have a table at eight o clock.',
  'Can you spell your last name?',
  'The office is on the second floor.',
  'I forgot my password.',
  'Your order will ship on Monday.',
  'Goodbye and have a nice day.',
  'Please confirm the time of the visit.',
];

export const CORPUS: Utterance[] = [
  ...SENTENCES.map((text, i) => ({ id: `a${String(i + 1).padStart(2, '0')}`, voice: 'en-us', speed: 1, text })),
  ...SENTENCES.slice(0, 20).map((text, i) => ({ id: `b${String(i + 1).padStart(2, '0')}`, voice: 'en-us+f3', speed: 0.9, text })),
];

/** Lower case words without punctuation: how both sides of a WER comparison are normalised. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Word-level Levenshtein distance: substitutions + deletions + insertions. */
export function editDistance(ref: string[], hyp: string[]): number {
  let prev = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const cur = [i];
    for (let j = 1; j <= hyp.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[hyp.length];
}
