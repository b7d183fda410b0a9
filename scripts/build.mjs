#!/usr/bin/env node
/**
 * Compiles the TypeScript sources into dist/ with SWC, file by file (type checking is separate:
 * `npm run typecheck`). Does nothing when no source changed since the last build, so `npm start`
 * and `npm run cli` start at once; `--force` rebuilds anyway, `--quiet` prints nothing.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['apps', 'libs', 'migrations', 'bench'];
const OUT = path.join(ROOT, 'dist');
const STAMP = path.join(OUT, '.build-stamp');
const args = new Set(process.argv.slice(2));
const say = args.has('--quiet') ? () => undefined : (m) => process.stderr.write(`${m}\n`);

/** Every compiled source: TypeScript under SOURCES, without tests. */
async function sources() {
  const out = [];
  const walk = async (dir) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !/\.(spec|test)\.ts$/.test(entry.name))
        out.push(full);
    }
  };
  for (const s of SOURCES) await walk(path.join(ROOT, s));
  return out.sort();
}

/** Names, sizes and times of the sources, this script and package.json: a build is current while it matches. */
async function fingerprint(files) {
  const hash = createHash('sha256');
  for (const f of [...files, fileURLToPath(import.meta.url), path.join(ROOT, 'package.json')]) {
    const s = await stat(f);
    hash.update(`${path.relative(ROOT, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

const SWC_OPTIONS = {
  jsc: {
    target: 'es2022',
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    keepClassNames: true,
  },
  module: { type: 'es6', resolveFully: false },
  sourceMaps: true,
};

async function compile(files) {
  let swc;
  try {
    swc = await import('@swc/core');
  } catch {
    throw new Error('the build needs the development dependencies (@swc/core): run `npm install` first');
  }
  const queue = [...files];
  const worker = async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const rel = path.relative(ROOT, f);
      const target = path.join(OUT, rel.replace(/\.ts$/, '.js'));
      const { code, map } = await swc.transformFile(f, {
        ...SWC_OPTIONS,
        filename: f,
        sourceFileName: path.relative(path.dirname(target), f),
      });
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, `${code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
      if (map) await writeFile(`${target}.map`, map);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

const started = Date.now();
const files = await sources();
const print = await fingerprint(files);
const previous = await readFile(STAMP, 'utf8').catch(() => null);
if (!args.has('--force') && previous === print) process.exit(0);
for (const s of SOURCES) await rm(path.join(OUT, s), { recursive: true, force: true });
await compile(files);
await writeFile(STAMP, print);
say(`paceline: compiled ${files.length} files in ${Date.now() - started} ms`);
