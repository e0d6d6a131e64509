/** Mission data over the /v1 plane (the operator's API key), and its live refresh. */
import { v1 } from '../api';
import { Store } from '../store';

export interface Mission {
  id: string;
  name: string;
  instructions: string;
  mode?: string;
  status?: string;
  latest_run_id?: string | null;
}
export interface Run {
  id: string;
  run_id: string;
  mission_id: string;
  status: string;
  result_summary: string | null;
  result_payload: Record<string, unknown> | null;
  workflow_id?: string;
  created_at?: string;
}
export interface Step {
  step_id: string;
  description: string;
  sequence?: number;
  status: string;
}
export interface RunEvent {
  id: string;
  seq: number;
  type: string;
  summary: string;
  agent_id?: string | null;
  step_id?: string | null;
  payload?: unknown;
  created_at?: string;
}
export interface ScheduledEvent {
  id: string;
  assistant_id: string;
  channel: string;
  to: string;
  scheduled_at: string;
  status: string;
  call_status: string | null;
  conversation_id: string | null;
  retry_count: number;
  next_attempt_at: string | null;
  outcome: string | null;
  step_id?: string | null;
}
export interface Approval {
  request_id: string;
  id: string;
  status: string;
  action: string;
  details?: unknown;
  require_biometric?: boolean;
  expires_at: string;
  note?: string | null;
  created_at?: string;
  run_id?: string;
  mission_id?: string;
  gate_id?: string;
}
export interface Gate {
  id?: string;
  gate_id?: string;
  status?: string;
  before?: string;
  approval_id?: string;
  request_id?: string;
}

type List<T> = { data: T[] };

export const missions = {
  list: () => v1<List<Mission>>('/missions?page[size]=100').then((r) => r.data),
  runs: (m: string) => v1<List<Run>>(`/missions/${m}/runs?page[size]=100`).then((r) => r.data),
  run: (m: string, r: string) => v1<{ data: Run }>(`/missions/${m}/runs/${r}`).then((x) => x.data),
  plan: (m: string, r: string) => v1<{ data: { steps: Step[] } }>(`/missions/${m}/runs/${r}/plan`).then((x) => x.data.steps),
  events: (m: string, r: string) => v1<List<RunEvent>>(`/missions/${m}/runs/${r}/events?page[size]=100`).then((x) => x.data),
  memory: (m: string, r: string) => v1<{ data: Record<string, unknown>; version: number }>(`/missions/${m}/runs/${r}/memory`),
  gates: (m: string, r: string) => v1<List<Gate>>(`/missions/${m}/runs/${r}/gates`).then((x) => x.data),
  /** Scheduled events of a run: per assistant linked to it. */
  async scheduled(m: string, r: string): Promise<ScheduledEvent[]> {
    const links = await v1<List<{ telnyx_agent_id: string }>>(`/missions/${m}/runs/${r}/agents`).then((x) => x.data);
    const lists = await Promise.all(links.map((l) => v1<List<ScheduledEvent>>(`/assistants/${l.telnyx_agent_id}/events?run_id=${r}&page[size]=100`).then((x) => x.data)));
    return lists.flat().sort((a, b) => a.scheduled_at.localeCompare(b.scheduled_at));
  },
  signal: (m: string, r: string, signal: 'pause' | 'resume' | 'cancel') => v1(`/missions/${m}/runs/${r}/${signal}`, { method: 'POST', body: {} }),
  approvals: (status: string) => v1<List<Approval>>(`/approvals?status=${status}&page[size]=100`).then((x) => x.data),
  decide: (a: Approval, decision: 'approve' | 'deny', note: string, selection: string[] | null) =>
    a.gate_id && a.run_id && a.mission_id && selection
      ? v1(`/missions/${a.mission_id}/runs/${a.run_id}/gates/${a.gate_id}/${decision}`, { method: 'POST', body: { ...(note ? { note } : {}), ...(decision === 'approve' ? { selection: { targets: selection } } : {}) } })
      : v1(`/approvals/${a.request_id}/${decision}`, { method: 'POST', body: note ? { note } : {} }),
  dryRun: (body: unknown) => v1<Record<string, unknown>>('/missions?dry_run=true', { method: 'POST', body }),
  create: (body: unknown) => v1<{ data: Mission; run_id?: string }>('/missions', { method: 'POST', body }),
};

/** Bumped whenever mission data may have changed; views reload on it. */
export const missionTick = new Store(0);

/**
 * Refresh while the board is open: every 5 s, and at once after each action. The /v1 plane has no
 * push channel a browser can use yet (the §5d stream is being built); reads are projections, cheap.
 */
export function followMissions(): () => void {
  const timer = window.setInterval(() => missionTick.update((n) => n + 1), 5000);
  return () => clearInterval(timer);
}
