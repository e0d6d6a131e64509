/**
 * Custom search attributes, so operators can filter Parley's workflows in the Temporal Web UI
 * (e.g. `ParleySessionId = "…"`). Registered at start-up by infra/temporal.ts.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SessionIdAttribute = defineSearchAttributeKey('ParleySessionId', SearchAttributeType.KEYWORD);
export const PhoneNumberAttribute = defineSearchAttributeKey('ParleyPhoneNumber', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [SessionIdAttribute, PhoneNumberAttribute] as const;
