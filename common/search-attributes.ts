/**
 * Custom search attributes, so operators can filter Parley's workflows in the Temporal Web UI
 * (e.g. `ParleySessionId = "…"`, `ParleyRunId = "…"`). Registered at start-up by infra/temporal.ts.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SessionIdAttribute = defineSearchAttributeKey('ParleySessionId', SearchAttributeType.KEYWORD);
export const PhoneNumberAttribute = defineSearchAttributeKey('ParleyPhoneNumber', SearchAttributeType.KEYWORD);
/** Missions plane: mission runs, scheduled events, ad-hoc calls and approvals. */
export const MissionIdAttribute = defineSearchAttributeKey('ParleyMissionId', SearchAttributeType.KEYWORD);
export const RunIdAttribute = defineSearchAttributeKey('ParleyRunId', SearchAttributeType.KEYWORD);
export const AssistantIdAttribute = defineSearchAttributeKey('ParleyAssistantId', SearchAttributeType.KEYWORD);
export const EventIdAttribute = defineSearchAttributeKey('ParleyEventId', SearchAttributeType.KEYWORD);
export const CallStatusAttribute = defineSearchAttributeKey('ParleyCallStatus', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [
  SessionIdAttribute,
  PhoneNumberAttribute,
  MissionIdAttribute,
  RunIdAttribute,
  AssistantIdAttribute,
  EventIdAttribute,
  CallStatusAttribute,
] as const;
