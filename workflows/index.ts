/** Every workflow the worker registers. Deterministic code only. */
export { callSessionWorkflow } from './call-session/workflow';
export { retentionWorkflow } from './retention/workflow';
export { missionRunWorkflow } from './missions/mission-run';
export { scheduledEventWorkflow } from './missions/scheduled-event';
export { adHocCallWorkflow } from './missions/ad-hoc-call';
export { approvalWorkflow } from './missions/approval';
export { sendMessageWorkflow } from './missions/send-message';
export { declarativeRunWorkflow } from './missions/declarative-run';
