/** Builds the configured telephony driver for the API process. */
import Adb from '@devicefarmer/adbkit';
import { createAdbDriver } from '../infra/telephony/adb-driver';
import type { TelephonyDriver } from '../infra/telephony/driver';
import { createSimDriver } from '../infra/telephony/sim-driver';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/log';

export function createTelephony(config: Config, log: Logger): TelephonyDriver & { close?(): Promise<void> } {
  if (config.telephonyDriver === 'adb') {
    return createAdbDriver({ client: Adb.createClient({ host: config.adbHost, port: config.adbPort }), serial: config.adbSerial || undefined });
  }
  log.info({ pace: config.simPace }, 'telephony: the built-in SIMULATED phone (no real calls are placed)');
  return createSimDriver({
    baseUrl: `http://127.0.0.1:${config.port}`,
    bearerToken: config.bearerToken || undefined,
    pace: config.simPace,
    personasFile: config.simPersonasFile,
    log,
  });
}
