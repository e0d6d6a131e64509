/**
 * Every configuration key, declared once: its environment variable(s), default and meaning.
 * loadConfig (infra/config.ts) refuses to read a key that is not declared here, and
 * `npm run docs:config` writes these tables into docs/configuration.md (a unit test fails when
 * that file is stale). Keys are the config file's names; the environment's are PARLEY_<KEY>
 * (or the old gateway's GATEWAY_<KEY>). Pure data: no I/O.
 */

export interface ConfigKey {
  /** Config-file keys read as PARLEY_<KEY>; several when one row describes a family. */
  keys?: string[];
  /** Environment-only variables, read under exactly this name. */
  env?: string[];
  /** Other names accepted for the same settings (the old gateway's), in the same order of preference. */
  aliases?: string[];
  default: string;
  meaning: string;
}

export interface ConfigSection {
  /** The marker name in docs/configuration.md (`<!-- config:<id> -->`). */
  id: string;
  rows: ConfigKey[];
}

export const CONFIG_SECTIONS: ConfigSection[] = [
  {
    id: 'process',
    rows: [
      { env: ['PARLEY_CONFIG'], default: '`./parley.config.json`', meaning: 'the JSON config file (keys in lower case, as below); a missing default file is fine, a missing named one is an error' },
      { keys: ['host'], default: '`127.0.0.1`', meaning: 'API bind address; anything but loopback requires a bearer token' },
      { keys: ['port'], default: '`8996`', meaning: 'API port (the one Clawfinger clients expect)' },
      { keys: ['bearer_token'], default: '—', meaning: 'when set, every route and WebSocket needs `Authorization: Bearer <token>` (or `?token=` on a WebSocket upgrade only, redacted in logs; REST routes ignore `?token=`)' },
      { keys: ['admin_token'], default: '—', meaning: 'when set, security writes need `Authorization: Bearer <admin_token>`: `auth_*`, the caller lists and `unknown_callers_allowed` (`POST /api/config/call`), provider `base_url`/`api_key` (`/api/config/llm`, `/api/config/tts`, `tts_languages`, `piper_base`), `POST /api/instructions`, `POST /api/config`; any other token gets 403 and nothing is applied. The admin token also opens every other route' },
      { keys: ['allowed_origins'], default: '`[]`', meaning: 'browser origins (`https://host[:port]`, JSON list or comma-separated) that may call the API besides its own; any other `Origin` gets 403, token or not' },
      { keys: ['legacy_open_agent_api'], default: '`false`', meaning: '`true`: `/api/agent/ws`, `/ws/events` and the operator routes (§4) accept token-less requests from a loopback peer that sends no `Origin` (the unchanged OpenClaw plugin and seed scripts); phone routes still need the token. It reopens access to every local process and to phone apps behind `adb reverse`' },
      { keys: ['data_dir'], default: '`.parley`', meaning: 'embedded state: SQLite files, Temporal CLI, logs' },
      { env: ['DATABASE_URL'], keys: ['database_url'], default: '`file:.parley/parley.db`', meaning: '`file:<path>` (SQLite) or `postgres://…` (PostgreSQL)' },
      { env: ['TEMPORAL_ADDRESS'], default: '—', meaning: 'use this Temporal cluster instead of starting the dev server' },
      { env: ['TEMPORAL_NAMESPACE'], default: '`default`', meaning: 'Temporal namespace' },
      { keys: ['temporal_port'], default: '`7233`', meaning: "the embedded dev server's frontend port" },
      { keys: ['temporal_ui_port'], default: '`8233`', meaning: "the embedded dev server's Web UI port" },
      { env: ['TEMPORAL_CLI_PATH'], default: '—', meaning: 'a `temporal` binary to use instead of finding or building one' },
      { keys: ['task_queue'], default: '`parley`', meaning: 'task queue of the worker' },
      { keys: ['session_ttl'], default: '`60`', meaning: 'seconds of inactivity after which a session ends (`stale`)' },
      { keys: ['log_level'], default: '`info`', meaning: '`fatal` … `trace`, `silent`; `debug` adds per-request logs' },
      { keys: ['audio_retention_days'], default: '`7`', meaning: 'stored caller and reply audio older than this is deleted' },
      { keys: ['event_retention_days'], default: '`30`', meaning: 'events older than this leave the durable event log' },
      { keys: ['agent_takeover_timeout'], default: '`30`', meaning: 'seconds the agent holding a takeover has to answer a `turn.request`; then the local LLM answers that turn (the takeover stays). Capped per turn at the turn budget left minus 8 s' },
      { keys: ['turn_budget_s'], default: '`40`', meaning: '`/api/turn` answers within this many seconds of arrival (the app gives up at 45)' },
      { keys: ['worker_metrics_port'], default: '`0` (off)', meaning: "the worker serves the Temporal SDK's Prometheus metrics (task latencies, slots, polls) on this port" },
      { keys: ['event_poll_ms'], default: '`20`', meaning: 'how often each API process reads new events and `turn.request`s from the database (PostgreSQL also wakes it at once with LISTEN/NOTIFY)' },
    ],
  },
  {
    id: 'telephony',
    rows: [
      { keys: ['telephony_driver'], default: '`sim`', meaning: '`sim` (the simulated phone) or `adb` (an Android phone)' },
      { keys: ['sim_pace'], default: '`realtime`', meaning: '`realtime` (human pace) or `fast` (tests)' },
      { keys: ['sim_personas'], default: '`sim/personas.json`', meaning: 'personas of the simulated phone, per number' },
      { keys: ['sim_dial_log'], default: '—', meaning: 'TEST/DEMO: a file the simulated lines append one JSON line to per dial they take (`at`, `number`, `command_id`), synchronously, so it survives a killed worker (the duplicate-dial test counts it)' },
      { keys: ['adb_host', 'adb_port'], default: '`127.0.0.1`, `5037`', meaning: 'the adb server' },
      { keys: ['adb_serial'], default: '—', meaning: 'the phone to use when several are attached' },
      { keys: ['default_country_code'], default: '—', meaning: 'turns a leading national `0` into `+<code>` when normalising numbers' },
    ],
  },
  {
    id: 'speech',
    rows: [
      { keys: ['asr_engine', 'llm_engine', 'tts_engine'], default: 'from the base URL: `openai` when set, else `whisper`, `llama`, `espeak`', meaning: 'the engine per stage (docs/speech.md): ASR `openai`, `whisper`, `pocketsphinx`, `pocketsphinx-binary`; LLM `openai`, `llama`, `echo`; TTS `openai`, `espeak`, `espeak-binary`' },
      { keys: ['asr_base_url', 'asr_api_key', 'asr_model', 'asr_language'], aliases: ['stt_model', 'stt_language'], default: '— (whisper)', meaning: 'OpenAI-compatible `/audio/transcriptions` (Whisper, faster-whisper, Speaches, Groq …)' },
      { keys: ['llm_base_url', 'llm_api_key', 'llm_model', 'llm_language'], default: '— (llama)', meaning: 'OpenAI-compatible `/chat/completions` (OpenAI, Groq, Ollama, llama.cpp, vLLM …)' },
      { keys: ['llm_model_path', 'llm_threads'], default: 'the embedded model, `1`', meaning: '`llama` engine only: a GGUF file to run instead of the embedded model, and llama.cpp CPU threads' },
      { keys: ['llm_max_sentences'], default: '`3`', meaning: '`llama` engine only: a reply ends after this many sentences (`0`: only `llm_max_tokens` ends it)' },
      {
        keys: ['llm_max_tokens', 'llm_temperature', 'llm_top_p', 'llm_top_p_enabled', 'llm_top_k', 'llm_top_k_enabled', 'llm_repeat_penalty', 'llm_stop', 'llm_context_tokens', 'llm_context_window'],
        aliases: ['max_tokens', 'temperature', 'top_p', 'top_p_enabled', 'top_k', 'top_k_enabled', 'repeat_penalty', 'stop', 'context_tokens'],
        default: '400, 0.2, 1.0, true, 0, true, 1.0, [], 0, 8192',
        meaning: 'generation settings (contract §4.3)',
      },
      { keys: ['max_history_turns'], default: '`8`', meaning: 'turns kept verbatim; older ones are summarised in the background' },
      { keys: ['llm_system_prompt'], default: 'a short phone-assistant prompt', meaning: 'the base system prompt' },
      { keys: ['tts_base_url', 'tts_api_key', 'tts_model', 'tts_voice', 'tts_speed', 'tts_language'], aliases: ['voice', 'speed', 'tts_lang', 'lang'], default: '— (espeak-ng, voice `en`)', meaning: 'OpenAI-compatible `/audio/speech` (OpenAI, Kokoro-FastAPI …)' },
      { keys: ['tts_languages'], default: '—', meaning: "JSON object `lang → {base_url, api_key, model, voice, speed}`: a language's own TTS provider, used while `tts_language` names it" },
      { keys: ['mlx_audio_base'], default: '—', meaning: "the old gateway's mlx-audio server root (its OpenAI API under `/v1`): ASR and TTS base URL when theirs are not set" },
      { keys: ['piper_base', 'piper_voice', 'piper_length_scale'], default: '—', meaning: "the old gateway's Piper (German) keys: `tts_languages.de` base URL, voice, speed 1/L" },
    ],
  },
  {
    id: 'call',
    rows: [
      { keys: ['greeting_incoming', 'greeting_outgoing', 'greeting_owner'], default: 'short greetings, `the owner`', meaning: 'greetings, `{owner}` substituted' },
      { keys: ['caller_allowlist', 'caller_blocklist'], default: '—', meaning: 'JSON list or comma-separated; compared after normalisation; incoming calls only' },
      { keys: ['unknown_callers_allowed'], default: '`true`', meaning: 'callers without a number' },
      { keys: ['auth_passphrase', 'auth_reject_message', 'auth_max_attempts'], default: '—, a goodbye, `3`', meaning: 'the passphrase gate (0 attempts = unlimited)' },
      { keys: ['max_duration_sec', 'max_duration_message'], default: '`0` (off)', meaning: 'the app hangs up at this length; Parley ends the session 60 s later' },
      { keys: ['keep_history'], default: '`false`', meaning: "remember each caller's conversation for their next call" },
      { keys: ['call_auto_answer', 'call_auto_answer_delay_ms'], aliases: ['auto_answer', 'auto_answer_delay_ms'], default: '`false`, `0`', meaning: 'read by the app' },
    ],
  },
  {
    id: 'missions',
    rows: [
      { keys: ['api_keys'], default: '—', meaning: 'extra `/v1` API keys: JSON list or comma-separated, `sha256:<hex>` entries, or plaintext (hashed at boot, with a warning)' },
      { keys: ['owner_phone'], default: '—', meaning: 'E.164 number `POST /v1/calls` dials when no `to` is given' },
      { keys: ['lines'], default: 'two simulated lines (`sim`), none (`adb`)', meaning: 'the account phones: JSON list of `{"number":"+1…","driver":"sim"|"adb","serial":"…"}`' },
      { keys: ['dedupe_window'], default: '`600`', meaning: 'seconds within which an identical mission or assistant create returns the existing one' },
      { keys: ['rate_limit_rps', 'rate_limit_burst', 'rate_limit_creates_per_min'], default: '`20`, `100`, `120`', meaning: '`/v1` limits per key (429 with `Retry-After`)' },
      { keys: ['compat_run_idle_timeout'], default: '`259200` (72 h)', meaning: 'seconds without writes after which a compat run with no open events fails ("abandoned")' },
      { keys: ['sim_api_url'], default: '`http://127.0.0.1:$PARLEY_PORT`', meaning: "where the worker's simulated lines reach Parley's phone API (e.g. `http://api:8996` when the worker runs in its own container; it then needs `PARLEY_BEARER_TOKEN` too)" },
      { keys: ['mission_time_scale'], default: '`1`', meaning: '**test/demo knob**: multiplies every wait of the missions workflows (until `scheduled_at`, retry delays, approval expiry, idle timeout); the tests run at `0.0001`/`0.001`. Leave at 1 in production' },
    ],
  },
  {
    id: 'tracing',
    rows: [
      { env: ['OTEL_EXPORTER_OTLP_ENDPOINT'], default: '— (no tracing)', meaning: 'the OTLP/HTTP base URL of a collector (e.g. `http://otel-collector:4318`); spans go to `<endpoint>/v1/traces`' },
      { env: ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'], default: '—', meaning: 'the full traces URL instead (used as is)' },
      { env: ['OTEL_EXPORTER_OTLP_HEADERS'], default: '—', meaning: 'headers for the collector (`key=value,…`), read by the exporter' },
    ],
  },
];

/** Config-file keys declared above, aliases included. */
export const DECLARED_KEYS: ReadonlySet<string> = new Set(CONFIG_SECTIONS.flatMap((s) => s.rows.flatMap((r) => [...(r.keys ?? []), ...(r.aliases ?? [])])));

/** The environment variables a config-file key is read from, in order of preference. */
export const envNames = (key: string): [string, string] => [`PARLEY_${key.toUpperCase()}`, `GATEWAY_${key.toUpperCase()}`];

/** The Markdown table of one section, as docs/configuration.md holds it between its markers. */
export function sectionTable(section: ConfigSection): string {
  const code = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');
  const lines = ['| Setting | Default | Meaning |', '|---|---|---|'];
  for (const row of section.rows) {
    const names = [...(row.env ?? []), ...(row.keys ?? []).filter((k) => !(row.env ?? []).some((e) => e.toLowerCase() === k)).map((k) => envNames(k)[0])];
    const aliases = row.aliases?.length ? ` (also ${code(row.aliases.map((a) => envNames(a)[0]))})` : '';
    lines.push(`| ${code(names)}${aliases} | ${row.default} | ${row.meaning.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
