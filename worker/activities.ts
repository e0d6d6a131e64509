/** Builds every activity from real clients: the one place activity factories are wired. */
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { LineConfig } from '../infra/missions-config';
import { createStoreActivities } from '../activities/store';
import { createTurnActivities, TurnDeps } from '../activities/turn';
import { createRetentionActivities } from '../activities/retention';
import { createMissionCallActivities } from '../activities/missions/calls';
import { createInsightActivities } from '../activities/missions/insights';
import { createMissionStoreActivities } from '../activities/missions/store';
import { createDeclarativeActivities } from '../activities/missions/declarative';
import type { LineDrivers } from '../activities/missions/lines';
import { createBotActivities } from '../activities/clawdtalk';
import { createSpeechEngines } from '../infra/speech';
import { AdmissionPool, withAdmission } from '../infra/speech/admission';
import { createRuntimeSettings, type RuntimeSettingsService } from '../infra/runtime-settings';

/** The phone lines the missions activities dial through; none = every dial fails honestly. */
export interface MissionLines {
  lines: LineConfig[];
  drivers: LineDrivers;
}

const NO_LINES: MissionLines = {
  lines: [],
  drivers: {
    dial: async () => ({ ok: false, detail: 'no line driver in this worker' }),
    sendSms: async () => ({ ok: false, detail: 'no line driver in this worker' }),
  },
};

export function buildActivities(deps: {
  db: Db;
  config: Pick<Config, 'lookup'>;
  engines?: TurnDeps['engines'];
  lines?: MissionLines;
  /** The slots of this worker's local speech engines; default: one per core. */
  admission?: AdmissionPool;
  /** Runtime settings; default: one cache for all of this worker's activities. A test running the API in the same process shares one. */
  settings?: RuntimeSettingsService;
}) {
  const settings = deps.settings ?? createRuntimeSettings(deps.db, deps.config);
  const lines = deps.lines ?? NO_LINES;
  // Every local speech engine of this worker shares one bounded pool (infra/speech/admission.ts).
  const engines = withAdmission(deps.engines ?? createSpeechEngines, deps.admission ?? new AdmissionPool());
  return {
    ...createStoreActivities(deps.db, settings),
    ...createTurnActivities({ db: deps.db, config: deps.config, engines, settings }),
    ...createRetentionActivities(deps.db),
    ...createMissionStoreActivities(deps.db),
    ...createDeclarativeActivities(deps.db),
    ...createMissionCallActivities({ db: deps.db, lines: lines.lines, drivers: lines.drivers }),
    ...createInsightActivities({ db: deps.db, settings }),
    ...createBotActivities({ db: deps.db, config: deps.config, lines: lines.lines }),
  };
}
