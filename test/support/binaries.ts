/** Debian's speech programs are optional: their tests run where they are installed. */
import fs from 'node:fs';
import path from 'node:path';

export function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir !== '' && fs.existsSync(path.join(dir, binary)));
}

/** `describe` when `binary` is on PATH; otherwise the block is skipped, its title saying why. */
export function describeWithBinary(binary: string, name: string, fn: () => void): void {
  if (onPath(binary)) describe(name, fn);
  else describe.skip(`${name} (skipped: ${binary} is not installed)`, fn);
}
