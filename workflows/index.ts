/** Every workflow the worker registers. Deterministic code only. */
export { callSessionWorkflow } from './call-session/workflow';
export { retentionWorkflow } from './retention/workflow';
