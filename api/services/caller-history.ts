/** Caller history (contract §5 keep_history): what is remembered of callers, and forgetting one. */
import { normalizeNumber } from '../../common/phone-number';
import type { Db } from '../../infra/db';
import type { RuntimeSettingsService } from '../../infra/runtime-settings';

/** Remembered callers, most recent call first. */
export function rememberedCallers(db: Db) {
  return db.callerHistory.findMany({ orderBy: { lastCallAt: 'desc' } });
}

/** Forgets a number as typed, normalised with the default country code; `forgotten` is false when none was kept. */
export async function forgetCaller(deps: { db: Db; runtimeSettings: RuntimeSettingsService }, typed: string): Promise<{ forgotten: boolean; number: string }> {
  const cc = (await deps.runtimeSettings.current()).call.default_country_code;
  const number = normalizeNumber(typed, cc);
  const { count } = number ? await deps.db.callerHistory.deleteMany({ where: { number } }) : { count: 0 };
  return { forgotten: count > 0, number };
}
