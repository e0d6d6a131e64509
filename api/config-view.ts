/**
 * The configuration in force, as /api/status and POST /api/config show it: process settings
 * plus runtime settings, by contract key name, without anything secret-named (contract §6:
 * the old gateway leaked auth_passphrase here).
 */
import type { Config } from '../infra/config';
import type { RuntimeSettings } from '../infra/settings';
import { databaseKind } from '../infra/db';

const SECRET_NAME = /token|key|bearer|secret|password|passphrase/i;

/** Drops every key (at any depth) whose name looks secret. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !SECRET_NAME.test(k))
      .map(([k, v]) => [k, withoutSecrets(v)]),
  );
}

export function configView(config: Config, settings: RuntimeSettings): Record<string, unknown> {
  const { call, speech } = settings;
  const { asr, llm, tts } = speech;
  const view = {
    host: config.host,
    port: config.port,
    config_file: config.configFile,
    database: databaseKind(config.databaseUrl),
    temporal_address: config.temporalAddress,
    temporal_namespace: config.temporalNamespace,
    task_queue: config.taskQueue,
    session_ttl: config.sessionTtl,
    turn_budget_s: config.turnBudgetS,
    agent_takeover_timeout: config.agentTakeoverTimeout,
    allowed_origins: config.allowedOrigins,
    legacy_open_agent_api: config.legacyOpenAgentApi,
    auth_required: call.auth_passphrase !== '',
    telephony_driver: config.telephonyDriver,
    adb_serial: config.adbSerial,
    default_country_code: call.default_country_code,
    audio_retention_days: config.audioRetentionDays,
    event_retention_days: config.eventRetentionDays,
    call_auto_answer: call.auto_answer,
    call_auto_answer_delay_ms: call.auto_answer_delay_ms,
    caller_allowlist: call.caller_allowlist,
    caller_blocklist: call.caller_blocklist,
    unknown_callers_allowed: call.unknown_callers_allowed,
    greeting_incoming: call.greeting_incoming_template,
    greeting_outgoing: call.greeting_outgoing_template,
    greeting_owner: call.greeting_owner,
    max_duration_sec: call.max_duration_sec,
    max_duration_message: call.max_duration_message,
    auth_reject_message: call.auth_reject_message,
    auth_max_attempts: call.auth_max_attempts,
    keep_history: call.keep_history,
    llm_system_prompt: settings.llmSystemPrompt,
    asr_engine: asr.engine,
    asr_base_url: asr.base_url,
    asr_model: asr.model,
    asr_language: asr.language,
    llm_engine: llm.engine,
    llm_base_url: llm.base_url,
    llm_model: llm.model,
    llm_language: llm.language,
    llm_temperature: llm.temperature,
    llm_top_p: llm.top_p,
    llm_top_p_enabled: llm.top_p_enabled,
    llm_top_k: llm.top_k,
    llm_top_k_enabled: llm.top_k_enabled,
    llm_repeat_penalty: llm.repeat_penalty,
    llm_stop: llm.stop,
    llm_context_window: llm.context_window,
    max_history_turns: llm.max_history_turns,
    tts_engine: tts.engine,
    tts_base_url: tts.base_url,
    tts_model: tts.model,
    tts_voice: tts.voice,
    tts_speed: tts.speed,
    tts_language: tts.language,
  };
  return withoutSecrets(view) as Record<string, unknown>;
}
