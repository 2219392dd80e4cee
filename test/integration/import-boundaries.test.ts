/**
 * The import-boundary checker (scripts/check-imports.ts) on small fixture trees:
 * what it accepts, what it reports, and its command-line exit codes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkImports, importsOf, isTestCode, ALLOWED } from '../../scripts/check-imports.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Write `files` (path → text) under a fresh temp root; returns the root. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ingot-imports-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

function withTree(files: Record<string, string>, fn: (root: string) => void): void {
  const root = tree(files);
  try { fn(root); } finally { rmSync(root, { recursive: true, force: true }); }
}

test('importsOf finds static, re-export, side-effect, type-only and dynamic imports', () => {
  const found = importsOf('x.ts', [
    "import { a } from './a.ts';",
    "import type { B } from '../b/b.ts';",
    "export { c } from './c.ts';",
    "import './side.ts';",
    'const d = await import("./d.ts");',
    "type E = import('./e.ts').E;",
    "import fastify from 'fastify';",
  ].join('\n'));
  assert.deepEqual(found.map((f) => f.specifier), ['./a.ts', '../b/b.ts', './c.ts', './side.ts', './d.ts', './e.ts', 'fastify']);
  assert.deepEqual(found.map((f) => f.line), [1, 2, 3, 4, 5, 6, 7]);
});

test('allowed directions pass: api → db/core/contracts/config, conductor → drivers, bin → anything', () => {
  withTree({
    'src/core/states.ts': 'export const S = 1;',
    'src/db/nodes.ts': "import { S } from '../core/states.ts'; export const N = S;",
    'src/config/config.ts': "import { S } from '../core/states.ts'; export const C = S;",
    'src/contracts/rpc.ts': "import type { S } from '../core/states.ts';",
    'src/api/server.ts': "import { N } from '../db/nodes.ts'; import { C } from '../config/config.ts'; import '../contracts/rpc.ts'; import Fastify from 'fastify';",
    'src/drivers/base.ts': "import '../contracts/rpc.ts';",
    'src/conductor/c.ts': "import '../drivers/base.ts'; import '../db/nodes.ts';",
    'src/bin/service.ts': "import '../api/server.ts'; import '../conductor/c.ts'; import '../drivers/base.ts';",
  }, (root) => assert.deepEqual(checkImports(root), []));
});

test('forbidden directions are reported with file, line, areas and specifier', () => {
  withTree({
    'src/core/ids.ts': "import { x } from '../db/nodes.ts';",
    'src/db/nodes.ts': 'export const x = 1;',
    'src/conductor/c.ts': 'export const c = 1;',
    'src/api/routes/nodes.ts': "\nimport { c } from '../../conductor/c.ts';",
    'src/drivers/redfish/client/index.ts': 'export const r = 1;',
    'src/lab/redfish/machine.ts': "import type { R } from '../../drivers/redfish/client/index.ts';",
  }, (root) => {
    const v = checkImports(root);
    assert.deepEqual(v.map((x) => [x.file, x.line, x.fromArea, x.toArea, x.specifier]), [
      ['src/api/routes/nodes.ts', 2, 'api', 'conductor', '../../conductor/c.ts'],
      ['src/core/ids.ts', 1, 'core', 'db', '../db/nodes.ts'],
      ['src/lab/redfish/machine.ts', 1, 'lab', 'drivers', '../../drivers/redfish/client/index.ts'],
    ]);
    assert.match(v[1]!.reason, /core may import only nothing in src/);
  });
});

test('test files are exempt; testing is importable only from tests, lab and bin', () => {
  withTree({
    'src/testing/builders.ts': "import '../db/nodes.ts';",
    'src/db/nodes.ts': 'export const x = 1;',
    'src/db/nodes.test.ts': "import '../testing/builders.ts'; import '../bin/service.ts';",
    'src/bin/service.ts': 'export {};',
    'src/api/server.ts': "import '../testing/builders.ts';",
    'src/lab/vm.ts': "import '../testing/builders.ts';",
  }, (root) => {
    const v = checkImports(root);
    assert.deepEqual(v.map((x) => `${x.fromArea}→${x.toArea}`), ['api→testing']);
  });
});

test('test-support helpers may import anything but only test code may import them', () => {
  withTree({
    'src/drivers/redfish/test-support.ts': "import '../../lab/redfish/index.ts'; import '../../testing/kit.ts';",
    'src/drivers/redfish/client/mock.test-support.ts': "import '../../../testing/kit.ts';",
    'src/drivers/redfish/client/a.test.ts': "import '../test-support.ts'; import './mock.test-support.ts';",
    'src/drivers/redfish/power.ts': "import './test-support.ts';",
    'src/lab/redfish/index.ts': 'export {};',
    'src/testing/kit.ts': 'export {};',
  }, (root) => {
    const v = checkImports(root);
    assert.deepEqual(v.map((x) => [x.file, x.reason]), [['src/drivers/redfish/power.ts', 'only test code may import test code']]);
  });
  assert.ok(isTestCode('src/a/b.test.ts') && isTestCode('src/a/test-support.ts') && isTestCode('src/a/x.test-support.ts'));
  assert.ok(!isTestCode('src/a/test-supports.ts') && !isTestCode('src/a/latest-support.ts'));
});

test('imports leaving src/ and unknown areas are reported', () => {
  withTree({
    'src/api/server.ts': "import '../../test/helpers.ts';",
    'src/widgets/w.ts': "import '../core/x.ts';",
    'src/core/x.ts': "import '../gadgets/g.ts';",
    'src/gadgets/g.ts': 'export {};',
  }, (root) => {
    const v = checkImports(root);
    assert.deepEqual(v.map((x) => `${x.file} ${x.toArea}`), [
      'src/api/server.ts outside src',
      'src/core/x.ts gadgets',
      'src/widgets/w.ts core',
    ]);
  });
});

test('the table covers every area of the proposed layout', () => {
  const areas = ['core', 'contracts', 'config', 'db', 'drivers', 'inspector', 'conductor', 'api', 'agent', 'client', 'cli', 'ui', 'lab', 'testing', 'rpc', 'bin'];
  assert.deepEqual(Object.keys(ALLOWED).sort(), [...areas].sort());
  assert.ok(!(ALLOWED.testing as readonly string[]).includes('bin'));
});

test('command line: exit 1 and one line per offending import', () => {
  const script = join(ROOT, 'scripts', 'check-imports.ts');
  withTree({ 'src/core/a.ts': "import '../api/b.ts';", 'src/api/b.ts': "import '../core/a.ts';" }, (root) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', script, root], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /1 forbidden import\(s\):\n {2}src\/core\/a\.ts:1 {2}core → api {2}'\.\.\/api\/b\.ts'/);
  });
});
