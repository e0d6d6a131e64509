/** Builds every activity from real clients: the one place activity factories are wired. */
import type { Db } from '../infra/db';
import { createStoreActivities } from '../activities/store';

export function buildActivities(deps: { db: Db }) {
  return {
    ...createStoreActivities(deps.db),
  };
}
