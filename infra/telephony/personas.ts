/**
 * Personas for the SIMULATED phone: who is "on the line" and what they say, per number.
 * A personas file maps E.164 numbers (and the required key "default") to `{name, lines}`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { normalizeE164, normalizeNumber } from '../../common/phone-number';

export interface Persona {
  name: string;
  /** What the simulated caller says, one /api/turn per line, in order. */
  lines: string[];
  /** espeak-ng voice (`espeak-ng --voices`), default `en-us`. */
  voice?: string;
  /** Speaking speed factor, 1 = espeak-ng's 175 words per minute. */
  speed?: number;
  /** How the number answers (default `answer`); `ivr` plays a menu before the lines. */
  behaviour?: PersonaBehaviour;
  /**
   * The callee's facts (price, availability, hours …): what its lines say, as data, so tests can
   * check a mission's insights, scores and stop_when against the truth.
   */
  facts?: Record<string, unknown>;
}

export const PERSONA_BEHAVIOURS = ['answer', 'ivr', 'voicemail', 'busy', 'no-answer', 'failed'] as const;
export type PersonaBehaviour = (typeof PERSONA_BEHAVIOURS)[number];

/** Personas by normalised number, plus the fallback. */
export interface PersonaBook {
  default: Persona;
  byNumber: Map<string, Persona>;
}

export class PersonaFileError extends Error {
  override readonly name = 'PersonaFileError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid personas file ${source}:\n  - ${problems.join('\n  - ')}`);
  }
}

/** The personas shipped with Parley. */
export const DEFAULT_PERSONAS_FILE = path.resolve(__dirname, '../../sim/personas.json');

const PERSONA_KEYS = new Set(['name', 'lines', 'voice', 'speed', 'behaviour', 'facts']);

/**
 * Validates parsed JSON. Accepts a book `{"default": {...}, "+1555…": {...}}` or, for a
 * one-off `--persona` file, a single persona `{name, lines}` (then it is the default).
 */
export function parsePersonas(json: unknown, source: string): PersonaBook {
  const problems: string[] = [];
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new PersonaFileError(source, ['expected a JSON object: {"default": {"name": …, "lines": [...]}, "+15550100147": {…}}']);
  }
  const record = json as Record<string, unknown>;
  if ('lines' in record) {
    const persona = checkPersona(record, '(top level)', problems);
    if (problems.length > 0 || !persona) throw new PersonaFileError(source, problems);
    return { default: persona, byNumber: new Map() };
  }
  let fallback: Persona | null = null;
  const byNumber = new Map<string, Persona>();
  if (!('default' in record)) problems.push('missing the "default" persona');
  for (const [key, value] of Object.entries(record)) {
    const persona = checkPersona(value, JSON.stringify(key), problems);
    if (key === 'default') {
      fallback = persona;
      continue;
    }
    const number = normalizeE164(key);
    if (!number) {
      problems.push(`${JSON.stringify(key)}: keys must be "default" or an E.164 number such as "+15550100147"`);
    } else if (byNumber.has(number)) {
      problems.push(`${JSON.stringify(key)}: ${number} is listed twice`);
    } else if (persona) {
      byNumber.set(number, persona);
    }
  }
  if (problems.length > 0 || !fallback) throw new PersonaFileError(source, problems);
  return { default: fallback, byNumber };
}

function checkPersona(value: unknown, where: string, problems: string[]): Persona | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${where}: expected an object {"name": "…", "lines": ["…", …]}`);
    return null;
  }
  const p = value as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(p)) {
    if (!PERSONA_KEYS.has(key)) problems.push(`${where}: unknown key ${JSON.stringify(key)} (allowed: ${[...PERSONA_KEYS].join(', ')})`);
  }
  if (typeof p.name !== 'string' || p.name.trim() === '') problems.push(`${where}: "name" must be a non-empty string`);
  if (!Array.isArray(p.lines) || p.lines.length === 0) {
    problems.push(`${where}: "lines" must be a non-empty array of strings`);
  } else {
    p.lines.forEach((line, i) => {
      if (typeof line !== 'string' || line.trim() === '') problems.push(`${where}: lines[${i}] must be a non-empty string`);
    });
  }
  if (p.voice !== undefined && (typeof p.voice !== 'string' || !/^[A-Za-z0-9_+.-]+$/.test(p.voice))) {
    problems.push(`${where}: "voice" must be an espeak-ng voice name such as "en-us"`);
  }
  if (p.speed !== undefined && (typeof p.speed !== 'number' || !(p.speed > 0) || p.speed > 3)) {
    problems.push(`${where}: "speed" must be a number above 0 and at most 3`);
  }
  if (p.behaviour !== undefined && !(PERSONA_BEHAVIOURS as readonly unknown[]).includes(p.behaviour)) {
    problems.push(`${where}: "behaviour" must be one of ${PERSONA_BEHAVIOURS.join(', ')}`);
  }
  if (p.facts !== undefined && (typeof p.facts !== 'object' || p.facts === null || Array.isArray(p.facts))) problems.push(`${where}: "facts" must be an object`);
  if (problems.length > before) return null;
  const persona: Persona = { name: (p.name as string).trim(), lines: (p.lines as string[]).map((l) => l.trim()) };
  if (p.voice !== undefined) persona.voice = p.voice as string;
  if (p.speed !== undefined) persona.speed = p.speed as number;
  if (p.behaviour !== undefined) persona.behaviour = p.behaviour as PersonaBehaviour;
  if (p.facts !== undefined) persona.facts = p.facts as Record<string, unknown>;
  return persona;
}

/** Reads and validates a personas file (default: the shipped `sim/personas.json`). */
export async function loadPersonas(file: string = DEFAULT_PERSONAS_FILE): Promise<PersonaBook> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new PersonaFileError(file, [`cannot read it: ${err instanceof Error ? err.message : String(err)}`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PersonaFileError(file, [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parsePersonas(json, file);
}

/** The persona for a number (compared after normalisation), else the default. */
export function personaFor(book: PersonaBook, number: string): Persona {
  return book.byNumber.get(normalizeNumber(number)) ?? book.default;
}
