/**
 * Workflow interceptors for tracing (bundled through the worker's `interceptors.workflowModules`
 * only when tracing is configured, see infra/tracing.ts): the workflow run continues the trace
 * the client's start carried in the Temporal headers, and each activity or child workflow it
 * schedules (local activities too) carries the trace on in its own headers. Spans leave the sandbox through the
 * `exporter` sink.
 *
 * Deliberately not the interceptors of @temporalio/interceptors-opentelemetry 1.24 (whose
 * spans, sink, context and header helpers this module reuses): those draw span ids from the
 * workflow's Math.random() and add a yield before the workflow body on histories recorded
 * without them, so turning tracing on (or off) breaks every running workflow that calls uuid4()
 * or takes a signal in its first activation. Here span ids come from a named random stream of
 * the workflow's seed, and `next` runs at once: a workflow's commands are the same with and
 * without tracing, and every history replays either way (test/workflows/tracing.test.ts).
 */
// First: gives the sandbox the `performance` and `window` globals OpenTelemetry expects.
import '@temporalio/interceptors-opentelemetry/lib/workflow/runtime';
import { BasicTracerProvider, SimpleSpanProcessor, type IdGenerator, type Tracer } from '@opentelemetry/sdk-trace-base';
import { extractContextFromHeaders, headersWithContext, instrument } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { ContextManager } from '@temporalio/interceptors-opentelemetry/lib/workflow/context-manager';
import { SpanExporter } from '@temporalio/interceptors-opentelemetry/lib/workflow/span-exporter';
import {
  ContinueAsNew,
  getRandomStream,
  workflowInfo,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type StartChildWorkflowExecutionInput,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptors,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The stream's name is part of replay: renaming it changes span ids, not commands. */
const RANDOM_STREAM = 'parley/tracing-span-ids';

function hex(length: number): string {
  const stream = getRandomStream(RANDOM_STREAM);
  let out = '';
  while (out.length < length) out += Math.floor(stream.random() * 16).toString(16);
  // All zeros is an invalid id in W3C trace context.
  return /^0+$/.test(out) ? `${out.slice(0, -1)}1` : out;
}

const idGenerator: IdGenerator = { generateTraceId: () => hex(32), generateSpanId: () => hex(16) };

let contextManager: ContextManager | undefined;
let cached: Tracer | undefined;

/** One tracer per workflow: created on first use, its context dropped when the workflow is. */
function tracer(): Tracer {
  if (!cached) {
    contextManager = new ContextManager();
    const provider = new BasicTracerProvider({ idGenerator, spanProcessors: [new SimpleSpanProcessor(new SpanExporter())] });
    provider.register({ contextManager });
    cached = provider.getTracer('parley-workflow');
  }
  return cached;
}

class TracingInbound implements WorkflowInboundCallsInterceptor {
  async execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    return instrument({
      tracer: tracer(),
      spanName: `RunWorkflow:${workflowInfo().workflowType}`,
      fn: () => next(input),
      context: extractContextFromHeaders(input.headers),
      acceptableErrors: (err) => err instanceof ContinueAsNew,
    });
  }
}

class TracingOutbound implements WorkflowOutboundCallsInterceptor {
  async scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return instrument({ tracer: tracer(), spanName: `StartActivity:${input.activityType}`, fn: () => next({ ...input, headers: headersWithContext(input.headers) }) });
  }

  async scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return instrument({ tracer: tracer(), spanName: `StartActivity:${input.activityType}`, fn: () => next({ ...input, headers: headersWithContext(input.headers) }) });
  }

  async startChildWorkflowExecution(
    input: StartChildWorkflowExecutionInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'startChildWorkflowExecution'>,
  ): Promise<[Promise<string>, Promise<unknown>]> {
    return instrument({ tracer: tracer(), spanName: `StartChildWorkflow:${input.workflowType}`, fn: () => next({ ...input, headers: headersWithContext(input.headers) }) });
  }
}

/** Loaded by the worker's bundler (interceptors.workflowModules). */
export const interceptors = (): WorkflowInterceptors => ({
  inbound: [new TracingInbound()],
  outbound: [new TracingOutbound()],
  internals: [
    {
      dispose(input, next) {
        contextManager?.disable();
        next(input);
      },
    },
  ],
});
