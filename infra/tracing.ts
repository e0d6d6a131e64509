/**
 * Tracing through @temporalio/interceptors-opentelemetry, exported over OTLP/HTTP when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set (infra/config.ts `otlpTracesUrl`). The API's Temporal
 * client opens a span per workflow start, signal, update and query and carries it in the
 * Temporal headers; the worker continues it in the workflow (spans leave the sandbox through
 * the `exporter` sink) and in every activity. Loaded only when tracing is configured: the
 * processes import this module lazily, so without an endpoint none of OpenTelemetry is loaded.
 * See docs/architecture.md (Tracing).
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { ClientInterceptors } from '@temporalio/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  OpenTelemetryWorkflowClientInterceptor,
} from '@temporalio/interceptors-opentelemetry';
import type { WorkerOptions } from '@temporalio/worker';

export interface Tracing {
  /** The API's (or any) Temporal client: `new Client({ interceptors: { workflow } })`. */
  clientInterceptors: ClientInterceptors;
  /** Merged into the worker's options: workflow and activity interceptors, the span sink. */
  workerOptions: Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  /** Sends the spans still buffered (tests; shutdown does it too). */
  flush(): Promise<void>;
  /** Flushes, then stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process-wide tracer provider (W3C trace context, async-hooks context) that the
 * interceptors use, exporting to `url`, and returns what the client and the worker install.
 */
export function startTracing(url: string, serviceName: string): Tracing {
  const resource = new Resource({ 'service.name': serviceName });
  // Batched: a turn's spans never wait on the collector; an unreachable collector costs dropped
  // spans and a logged export error, never a failed call.
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return {
    clientInterceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] },
    workerOptions: {
      interceptors: {
        // Bundled into the workflow sandbox with the workflows (Worker.create bundles
        // workflowsPath with these modules). Ours, not the package's: they leave a workflow's
        // commands and random numbers as they are, so histories replay with tracing on or off.
        workflowModules: [require.resolve('../workflows/tracing-interceptors')],
        activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
      },
      sinks: { exporter: makeWorkflowExporter(spanProcessor, resource) },
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
