/** Ids shared by the API, workflows and activities. I/O-free, safe to import from workflows. */

/** Session ids the phone may send (contract §2.2). */
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export function isValidSessionId(id: unknown): id is string {
  return typeof id === 'string' && SESSION_ID_PATTERN.test(id);
}

/** Generated sids are 32 lowercase hex characters, like uuid4().hex (contract §1 rule e). */
export function sessionIdFromUuid(uuid: string): string {
  return uuid.replace(/-/g, '').toLowerCase();
}

export function callSessionWorkflowId(sessionId: string): string {
  return `call-session-${sessionId}`;
}
