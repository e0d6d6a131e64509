/** Links into the Temporal Web UI: every call, run and event is a workflow with a known id. */
import { Store, useStore } from './store';

export const temporalUi = new Store<{ port: number | null; namespace: string }>({ port: null, namespace: 'default' });

export function TemporalLink({ workflowId, label = 'Temporal' }: { workflowId: string; label?: string }) {
  const ui = useStore(temporalUi);
  if (!ui.port) return null;
  const href = `${location.protocol}//${location.hostname}:${ui.port}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  return (
    <a class="temporal" href={href} target="_blank" rel="noopener" title={`Workflow ${workflowId} in the Temporal Web UI`}>
      {label} ↗
    </a>
  );
}
