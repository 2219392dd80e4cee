/**
 * Import-boundary check: the areas of `src/` import one way only
 * (shared docs/style.md §6 "Allowed imports"). Run: `npx tsx scripts/check-imports.ts [root]`.
 *
 * Contract: every relative import (static, `export … from`, side-effect, `import type`,
 * dynamic `import()`) of every non-test `.ts` file under `src/` is resolved to an area
 * (the first folder under `src/`) and checked against {@link ALLOWED}. Test code — `*.test.ts`
 * and test helpers named `test-support.ts` / `*.test-support.ts` — is a composition root
 * like `bin/` and may import anything; in return no other file may import a test helper.
 * Exits 1 and lists every offending import, or prints one OK line and exits 0.
 *
 * NOTE: type-only imports count too: they couple the areas just the same.
 */
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Area → the areas it may import (itself always allowed). `'*'` = anything. */
export const ALLOWED: Readonly<Record<string, readonly string[] | '*'>> = {
  core: [],
  contracts: ['core'],
  config: ['core'],
  db: ['core'],
  drivers: ['core', 'contracts'],
  inspector: ['core', 'db'],
  conductor: ['core', 'contracts', 'config', 'db', 'drivers', 'inspector'],
  api: ['core', 'contracts', 'config', 'db'],
  rpc: ['core', 'contracts', 'config', 'db'],
  agent: ['core', 'contracts'],
  client: ['core', 'contracts'],
  cli: ['client', 'core'],
  ui: ['client', 'core'],
  lab: ['core', 'contracts', 'agent', 'testing'],
  testing: ['core', 'contracts', 'config', 'db', 'drivers', 'inspector', 'conductor', 'api', 'agent', 'client', 'cli', 'ui', 'lab'],
  bin: '*',
};

export interface Violation {
  /** Importing file, relative to the root, with `/` separators. */
  file: string;
  line: number;
  /** The module specifier as written. */
  specifier: string;
  fromArea: string;
  /** Target area, or `outside src` / `unknown area`. */
  toArea: string;
  reason: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(m|c)?tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Module specifiers imported by a source text, with 1-based line numbers. */
export function importsOf(fileName: string, text: string): { specifier: string; line: number }[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const out: { specifier: string; line: number }[] = [];
  const add = (lit: ts.Node | undefined) => {
    if (lit && ts.isStringLiteralLike(lit)) out.push({ specifier: lit.text, line: sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function areaOf(srcDir: string, absPath: string): string | null {
  const rel = relative(srcDir, absPath);
  if (rel.startsWith('..') || rel === '') return null;
  const parts = rel.split(sep);
  return parts.length > 1 ? parts[0]! : '(src root)';
}

/** Test code: exempt from the area rules, and importable only from test code. */
export function isTestCode(path: string): boolean {
  return /\.test\.m?tsx?$/.test(path) || /(^|[\\/])(test-support|[^\\/]+\.test-support)\.m?tsx?$/.test(path);
}

/** Check the tree under `root` (which holds `src/`). Pure: reads files, prints nothing. */
export function checkImports(root: string): Violation[] {
  const srcDir = resolve(root, 'src');
  const violations: Violation[] = [];
  for (const file of walk(srcDir).sort()) {
    if (isTestCode(file)) continue;
    const from = areaOf(srcDir, file)!;
    const rel = relative(root, file).split(sep).join('/');
    for (const { specifier, line } of importsOf(file, readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) continue;
      const target = resolve(dirname(file), specifier);
      const to = areaOf(srcDir, target);
      const v = { file: rel, line, specifier, fromArea: from };
      if (isTestCode(target)) { violations.push({ ...v, toArea: to ?? 'outside src', reason: 'only test code may import test code' }); continue; }
      if (!(from in ALLOWED)) { violations.push({ ...v, toArea: to ?? 'outside src', reason: `area "${from}" is not in the allowed-imports table` }); continue; }
      if (to === null) { violations.push({ ...v, toArea: 'outside src', reason: 'src/ must not import files outside src/' }); continue; }
      if (to === from) continue;
      const allowed = ALLOWED[from]!;
      if (!(to in ALLOWED)) violations.push({ ...v, toArea: to, reason: `"${to}" is not an area of the allowed-imports table` });
      else if (allowed !== '*' && !allowed.includes(to)) {
        violations.push({ ...v, toArea: to, reason: `${from} may import only ${allowed.length ? allowed.join(', ') : 'nothing in src'}` });
      }
    }
  }
  return violations;
}

function main(): void {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = resolve(process.argv[2] ?? join(here, '..'));
  const violations = checkImports(root);
  if (violations.length === 0) {
    console.log('imports: OK (every src/ area imports only what docs/style.md §6 allows)');
    return;
  }
  console.log(`imports: ${violations.length} forbidden import(s):`);
  for (const v of violations) console.log(`  ${v.file}:${v.line}  ${v.fromArea} → ${v.toArea}  '${v.specifier}'  (${v.reason})`);
  process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
