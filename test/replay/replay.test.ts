/**
 * Every committed history replays against the current workflow bundle: a change that would
 * break running workflows fails here. A history recorded on a patch's new branch fails against
 * the workflows with that branch removed. Record new histories with `npm run histories:record`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { DefinePlugin } from 'webpack';
import { DeterminismViolationError } from '@temporalio/workflow';
import { BUNDLE_PATH, HISTORIES_DIR } from '../support/paths';
import { scenarios } from './scenarios';
import { declarativeScenarios } from './declarative-scenarios';
import { missionScenarios } from './mission-scenarios';
import { botScenarios } from './bot-scenarios';

const files = fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')).sort();
const load = (file: string) => historyFromJSON(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')));

test('every scenario has a committed history', () => {
  expect(files.map((f) => f.replace(/\.json$/, ''))).toEqual(expect.arrayContaining([...scenarios, ...missionScenarios, ...declarativeScenarios, ...botScenarios].map((s) => s.name)));
});

test.each(files)('%s replays against the current workflows', async (file) => {
  await Worker.runReplayHistory({ workflowBundle: { codePath: BUNDLE_PATH } }, load(file), file);
});

test('a changed workflow fails replay with DeterminismViolationError', async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixtures/changed-workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  const file = 'call-session-ended-by-api.json';
  await expect(Worker.runReplayHistory({ workflowBundle: { code } }, load(file), file)).rejects.toBeInstanceOf(DeterminismViolationError);
});

/** Each patch and a history that took its new branch. */
const patchedHistories: Array<[string, string]> = [
  ['stop-before-dial', 'scheduled-call-stop-before-dial.json'],
  ['voicemail-budget', 'scheduled-call-voicemail-budget.json'],
  ['declarative-continue-as-new', 'declarative-continue-as-new.json'],
  ['mission-local-writes', 'scheduled-call-voicemail-budget.json'],
  ['mission-local-writes', 'declarative-sweep-local-writes.json'],
  ['cancel-waits-for-events', 'declarative-cancel-waits.json'],
  ['event-outcome-in-result', 'declarative-sweep-event-outcome.json'],
  ['insights-local', 'scheduled-call-insights-local.json'],
  ['batched-decisions', 'declarative-sweep-batched-decisions.json'],
  ['one-activity-turn', 'call-session-one-activity-turns.json'],
  ['one-activity-answer', 'call-session-one-activity-turns.json'],
];

test('an event started with EVENT_PATCHES records no patch marker; one started before them did', () => {
  const markers = (file: string) => (load(file).events ?? []).flatMap((e) => (e.markerRecordedEventAttributes?.markerName ? [e.markerRecordedEventAttributes.markerName] : []));
  expect(markers('scheduled-call-patches-in-input.json')).toEqual(['core_local_activity', 'core_local_activity']);
  expect(markers('scheduled-call-answered-local-writes.json')).toContain('core_patch');
});

test.each(patchedHistories)('with patch %s removed, %s fails replay with DeterminismViolationError', async (patchId, file) => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
    webpackConfigHook: (config) => ({
      ...config,
      resolve: { ...config.resolve, alias: { ...(config.resolve?.alias as Record<string, string | false>), '@temporalio/workflow$': require.resolve('./fixtures/without-patch') } },
      plugins: [...(config.plugins ?? []), new DefinePlugin({ REMOVED_PATCH: JSON.stringify(patchId) })],
    }),
  });
  await expect(Worker.runReplayHistory({ workflowBundle: { code } }, load(file), file)).rejects.toBeInstanceOf(DeterminismViolationError);
});
