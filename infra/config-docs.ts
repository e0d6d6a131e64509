/**
 * `npm run docs:config`: writes the tables of infra/config-keys.ts into docs/configuration.md,
 * each between its `<!-- config:<id>:start -->` and `<!-- config:<id>:end -->` markers; the prose
 * around them is kept. test/unit/infra/config-docs.test.ts fails when the file is stale.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONFIG_SECTIONS, sectionTable } from './config-keys';

export const CONFIG_DOC = path.join(__dirname, '..', 'docs', 'configuration.md');

/** `doc` with every section's table regenerated; throws when a section's markers are missing. */
export function renderConfigDoc(doc: string): string {
  let out = doc;
  for (const section of CONFIG_SECTIONS) {
    const start = `<!-- config:${section.id}:start -->`;
    const end = `<!-- config:${section.id}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${CONFIG_DOC}: markers ${start} … ${end} are missing`);
    out = `${out.slice(0, from + start.length)}\n${sectionTable(section)}\n${out.slice(to)}`;
  }
  return out;
}

if (require.main === module) {
  const doc = fs.readFileSync(CONFIG_DOC, 'utf8');
  const next = renderConfigDoc(doc);
  if (next !== doc) fs.writeFileSync(CONFIG_DOC, next);
  process.stdout.write(`${path.relative(process.cwd(), CONFIG_DOC)}: ${next === doc ? 'up to date' : 'written'}\n`);
}
