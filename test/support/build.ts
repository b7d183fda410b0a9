import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

let built = false;
/** Compiles the project (when a source changed) once per test run so tests can run the real processes. */
export function ensureBuilt(): string {
  if (!built) {
    execFileSync(process.execPath, ['scripts/build.mjs', '--quiet'], { stdio: 'inherit' });
    built = true;
  }
  const bin = 'dist/apps/cli/main.js';
  if (!existsSync(bin) || statSync(bin).size === 0) throw new Error('the CLI did not build');
  return bin;
}
