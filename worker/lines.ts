/** The worker's phone lines: the configured account phones over the simulated phone and/or ADB. */
import Adb from '@devicefarmer/adbkit';
import type { Config } from '../infra/config';
import type { Db } from '../infra/db';
import type { Logger } from '../infra/log';
import { createAdbDriver } from '../infra/telephony/adb-driver';
import { createSimDriver } from '../infra/telephony/sim-driver';
import { adbLineDrivers, lineDrivers, simLineDrivers } from '../activities/missions/lines';
import type { MissionLines } from './activities';

export function createMissionLines(config: Config, db: Db, log: Logger): MissionLines & { close(): Promise<void> } {
  const needs = new Set(config.missions.lines.map((l) => l.driver));
  // The simulated phone calls Parley's own phone API, as a real phone would.
  const sim = needs.has('sim')
    ? createSimDriver({ baseUrl: config.missions.simApiUrl || `http://127.0.0.1:${config.port}`, bearerToken: config.bearerToken || undefined, pace: config.simPace, personasFile: config.simPersonasFile, dialLog: config.simDialLog || undefined, log })
    : undefined;
  const adb = needs.has('adb') ? createAdbDriver({ client: Adb.createClient({ host: config.adbHost, port: config.adbPort }) }) : undefined;
  return {
    lines: config.missions.lines,
    drivers: lineDrivers({ sim: sim && simLineDrivers(sim), adb: adb && adbLineDrivers(adb, db) }),
    close: async () => sim?.close(),
  };
}
