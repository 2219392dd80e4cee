/**
 * The ingot CLI as one JavaScript file, as `ingot agent` runs on the agent ramdisk:
 * `src/bin/ingot.ts` bundled by esbuild (ESM for Node 20, minified; native database
 * drivers replaced by a stub that throws: the agent never opens a database).
 *
 * - `bundleIngot()`: the text (the ramdisk build writes it as `/ingot.js`).
 * - `sourcesHash()`: what the bundle is made from (src/ minus tests, package-lock.json),
 *   so that a cache can be checked without bundling.
 * - `cachedIngotBundle(dir)`: the file `<dir>/ingot-<hash>.mjs`, bundled once per state of
 *   the sources (written under a temporary name, then renamed: concurrent builders agree).
 *   Bundles of other source states untouched for a day are removed when a new one is made
 *   (one checkout's lab may still be starting agents from a bundle made minutes ago).
 *   The lab starts its machines' agents from it: a Node process that loads the bundle
 *   starts in a fraction of the CPU time of one that compiles the TypeScript sources
 *   (about 0.2 s against 0.7 s), which counts when 16 machines boot at once on 2 cores.
 *
 * Only the build side runs this module (the lab, `ingot ramdisk build`); it needs the
 * checkout's sources and esbuild (a dependency of tsx).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';

/** Age after which another source state's bundle is removed (see cachedIngotBundle). */
export const STALE_BUNDLE_MS = 24 * 3600_000;
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Hash of what the bundle is made from (src/ minus tests, package-lock.json). */
export async function sourcesHash(): Promise<string> {
  const h = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) h.update(p).update(await readFile(p));
    }
  };
  await walk(join(PROJECT_ROOT, 'src'));
  h.update(await readFile(join(PROJECT_ROOT, 'package-lock.json')));
  return h.digest('hex');
}

/** Bundle src/bin/ingot.ts into one ESM file for Node 20. */
export async function bundleIngot(): Promise<string> {
  const esbuild = await import('esbuild');
  const stub = 'export default class NotInRamdisk { constructor() { throw new Error("not available in the agent ramdisk"); } }';
  const res = await esbuild.build({
    entryPoints: [join(PROJECT_ROOT, 'src', 'bin', 'ingot.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    write: false, minify: true, legalComments: 'none', logLevel: 'silent',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    plugins: [{
      name: 'no-native',
      setup(b) {
        b.onResolve({ filter: /^(better-sqlite3|pg-native|cpu-features|ssh2)$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
        b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: stub, loader: 'js' }));
      },
    }],
  });
  return res.outputFiles[0]!.text;
}

/** `<dir>/ingot-<sources hash>.mjs`, bundled now unless it is there already. */
export async function cachedIngotBundle(dir: string): Promise<string> {
  const file = join(dir, `ingot-${(await sourcesHash()).slice(0, 16)}.mjs`);
  if (await stat(file).then((s) => s.size > 0, () => false)) return file;
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}-${Math.random().toString(16).slice(2)}.tmp`;
  try {
    await writeFile(tmp, await bundleIngot());
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    if (p === file || !/^ingot-[0-9a-f]{16}\.mjs$/.test(name)) continue;
    const st = await stat(p).catch(() => null);
    if (st && Date.now() - st.mtimeMs > STALE_BUNDLE_MS) await rm(p, { force: true });
  }
  return file;
}
