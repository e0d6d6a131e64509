import type { TestWorkflowEnvironment } from '@temporalio/testing';

export default async function globalTeardown(): Promise<void> {
  const env = (globalThis as Record<string, unknown>).__parleyTestEnv as TestWorkflowEnvironment | undefined;
  await env?.teardown();
}
