/**
 * The `parley` command line. Subcommands live in one map, so a new one (e.g. `keys`) is one
 * entry: `{ summary, usage, run }`. `phone` drives the SIMULATED phone against a running Parley.
 */
import { parseArgs } from 'node:util';
import { normalizeE164 } from '../common/phone-number';
import { DEFAULT_PERSONAS_FILE, loadPersonas, PersonaFileError, personaFor } from '../infra/telephony/personas';
import { keys } from './keys';
import type { CliIo, Subcommand } from './subcommand';
import { SIM_OUTCOME_SUFFIXES, SimPhone, type SimCallDirection, type SimEvent, type SimPace } from '../infra/telephony/sim-phone';

/** Exit code for a malformed command line. */
const USAGE_ERROR = 2;

class UsageError extends Error {}

const phone: Subcommand = {
  summary: 'place a SIMULATED phone call against a running Parley and print the conversation',
  usage: [
    'parley phone --to <number> [--persona <file>] [--url <url>] [--token <token>] [--pace realtime|fast] [--direction outgoing|incoming [--line <number>]]',
    '',
    'Acts as the Clawfinger Android app would (GET /api/config/call, the greeting turn, then one',
    '/api/turn per persona line spoken with espeak-ng). No real phone is involved.',
    '',
    '  --to         the number "dialled" (E.164); it picks the persona from the personas file',
    `  --persona    personas file (default ${DEFAULT_PERSONAS_FILE}), or a single {name, lines} persona`,
    '  --url        Parley base URL (default http://127.0.0.1:$PARLEY_PORT, port 8996)',
    '  --token      bearer token (default $PARLEY_BEARER_TOKEN)',
    '  --pace       realtime: ring, speak and play replies at human speed; fast: no waiting',
    '               (default $PARLEY_SIM_PACE, else realtime)',
    '  --direction  outgoing (default: the app placed the call) or incoming (a caller rings the',
    '               line; --to is then the caller\'s number)',
    '  --line       incoming only: the account line that rings (E.164; default Parley\'s first line).',
    '               A call to a line whose account has a ClawdTalk client connected goes to its bot',
    '',
    `Numbers ending in ${Object.entries(SIM_OUTCOME_SUFFIXES)
      .map(([suffix, outcome]) => `${suffix} (${outcome})`)
      .join(', ')} simulate those outcomes.`,
    'Exit code 0 when the script completed, 1 for any other outcome, 2 for usage errors.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        to: { type: 'string' },
        persona: { type: 'string' },
        url: { type: 'string' },
        token: { type: 'string' },
        pace: { type: 'string' },
        direction: { type: 'string' },
        line: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (!values.to) throw new UsageError('--to <number> is required');
    const number = normalizeE164(values.to);
    if (!number) throw new UsageError(`--to ${values.to}: an E.164 number such as +15550100100 is required`);
    const pace = (values.pace ?? io.env.PARLEY_SIM_PACE ?? 'realtime') as SimPace;
    if (pace !== 'realtime' && pace !== 'fast') throw new UsageError(`--pace must be realtime or fast, got ${pace}`);
    const direction = (values.direction ?? 'outgoing') as SimCallDirection;
    if (direction !== 'outgoing' && direction !== 'incoming') throw new UsageError(`--direction must be outgoing or incoming, got ${direction}`);
    let line: string | undefined;
    if (values.line !== undefined) {
      if (direction !== 'incoming') throw new UsageError('--line applies to --direction incoming only');
      line = normalizeE164(values.line) ?? undefined;
      if (!line) throw new UsageError(`--line ${values.line}: an E.164 number such as +15550100001 is required`);
    }
    const port = io.env.PARLEY_PORT || io.env.GATEWAY_PORT || '8996';
    const baseUrl = values.url ?? `http://127.0.0.1:${port}`;
    if (!URL.canParse(baseUrl)) throw new UsageError(`--url ${baseUrl} is not a URL`);
    const bearerToken = values.token ?? (io.env.PARLEY_BEARER_TOKEN || io.env.GATEWAY_BEARER_TOKEN || undefined);

    let book;
    try {
      book = await loadPersonas(values.persona ?? DEFAULT_PERSONAS_FILE);
    } catch (err) {
      if (err instanceof PersonaFileError) {
        io.err(err.message);
        return 1;
      }
      throw err;
    }
    const persona = personaFor(book, number);
    io.out(`☎ SIMULATED phone ${direction === 'incoming' ? `${number} → ${line ?? 'Parley'}` : `→ ${number}`} (${direction}), persona: ${persona.name}; Parley at ${baseUrl}, pace ${pace}`);

    const call = new SimPhone({ baseUrl, bearerToken, number, persona, pace, direction, line, onEvent: (e) => printEvent(e, io) });
    const removeInterrupt = io.onInterrupt(() => {
      if (call.abort({ hangup: true })) io.out('☎ hanging up…');
    });
    try {
      const result = await call.run();
      const session = result.session_id ? `, session ${result.session_id}` : '';
      io.out(`outcome: ${result.outcome} (${result.turns} turn${result.turns === 1 ? '' : 's'}${session})`);
      return result.outcome === 'completed' ? 0 : 1;
    } finally {
      removeInterrupt();
    }
  },
};

const HANGUP_TEXT: Record<string, string> = {
  'script-complete': 'the caller said everything and hung up',
  ended: 'Parley reports the session ended',
  rejected: 'Parley rejected the caller',
  hangup: 'Parley hung up',
  aborted: 'call aborted',
  error: 'call failed',
  'no-answer': 'no answer',
  busy: 'busy',
  failed: 'call failed',
  voicemail: 'voicemail: the greeting was played, then hung up',
};

function printEvent(event: SimEvent, io: CliIo): void {
  switch (event.type) {
    case 'ring':
      io.out('☎ ringing…');
      break;
    case 'answered':
      io.out('☎ answered');
      break;
    case 'speaking':
      io.out(`caller: ${event.line}`);
      break;
    case 'turn':
      if (event.caller_line !== null) io.out(`  (heard: ${JSON.stringify(event.transcript)})`);
      io.out(`parley (${event.model || 'fixed reply'}, ${event.ms} ms): ${event.reply}`);
      break;
    case 'hangup':
      io.out(`☎ ${HANGUP_TEXT[event.reason] ?? event.reason}${event.detail ? `: ${event.detail}` : ''}`);
      break;
  }
}

const help: Subcommand = {
  summary: 'show this help, or `parley help <command>` for one command',
  usage: 'parley help [command]',
  async run(args, io) {
    const name = args[0];
    if (name) {
      const command = SUBCOMMANDS[name];
      if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
      io.out(command.usage);
      return 0;
    }
    io.out(generalUsage());
    return 0;
  },
};

/** Every subcommand by name; add new ones (`keys`, …) here. */
export const SUBCOMMANDS: Record<string, Subcommand> = { phone, keys, help };

function generalUsage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ['usage: parley <command> [options]', '', 'commands:', ...lines].join('\n');
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};

/** Runs the command line `argv` (without node and script); resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(generalUsage());
    return name ? 0 : USAGE_ERROR;
  }
  const command = SUBCOMMANDS[name];
  if (!command) {
    io.err(`parley: unknown command ${JSON.stringify(name)}\n\n${generalUsage()}`);
    return USAGE_ERROR;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    // parseArgs reports unknown or malformed options with ERR_PARSE_ARGS_* codes.
    const code = (err as { code?: unknown }).code;
    if (err instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`parley ${name}: ${(err as Error).message}\n\n${command.usage}`);
      return USAGE_ERROR;
    }
    throw err;
  }
}
