/**
 * Resource trees: the static JSON a profile serves, keyed by URL path.
 *
 * A mockup folder holds `<dir>/redfish/v1/.../index.json` (served at the folder's URL) and a few
 * plain `*.json` files (served at their own URL, e.g. `Registries/Base.1.5.0.json`). Files are read
 * and parsed lazily, once, and shared by every machine: callers must clone before changing them.
 *
 * Paths are normalised (no query, fragment or trailing slash). A case-insensitive tree (the HPE
 * profile: iLO links `/redfish/v1/systems/1/bios` while the data sits at `Systems/1/bios`) matches
 * any letter case and reports the stored spelling as canonical.
 *
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Json = Record<string, unknown>;

export interface ResourceTree {
  readonly caseInsensitive: boolean;
  /** The stored spelling of `path`, or undefined when the tree has no such resource. */
  canonical(path: string): string | undefined;
  /** The parsed resource (shared; do not mutate). */
  get(path: string): Json | undefined;
  /** Every stored path. */
  paths(): string[];
}

/** Strips query, fragment, duplicate and trailing slashes: `/redfish/v1/Systems/1/` → `/redfish/v1/Systems/1`. */
export function normPath(p: string): string {
  let s = p.split('#')[0]!.split('?')[0]!.replace(/\/{2,}/g, '/');
  while (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

/** Comparison key of a path in a tree: lower-cased when the tree is case-insensitive. */
export function keyOf(path: string, caseInsensitive: boolean): string {
  const n = normPath(path);
  return caseInsensitive ? n.toLowerCase() : n;
}

/** A tree read from a mockup folder (the folder that contains `redfish/`). */
export class MockupTree implements ResourceTree {
  readonly caseInsensitive: boolean;
  private readonly files = new Map<string, string>();
  private readonly byKey = new Map<string, string>();
  private readonly cache = new Map<string, Json | null>();

  constructor(root: string, caseInsensitive = false) {
    this.caseInsensitive = caseInsensitive;
    if (isFile(join(root, 'redfish', 'v1', 'index.json'))) this.walk(join(root, 'redfish'), '/redfish');
    else this.walk(root, '/redfish/v1'); // short form (DMTF Redfish-Publications mockups/*): the folder is /redfish/v1
  }

  private walk(dir: string, url: string): void {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) this.walk(full, `${url}/${entry.name}`);
      else if (entry.name === 'index.json') this.add(url, full);
      else if (entry.name.endsWith('.json')) this.add(`${url}/${entry.name}`, full);
    }
  }

  private add(url: string, file: string): void {
    const path = normPath(url);
    this.files.set(path, file);
    this.byKey.set(keyOf(path, this.caseInsensitive), path);
  }

  /** Switches matching to case-insensitive; used once the service root reveals an HPE service. */
  withCaseInsensitive(): MockupTree {
    (this as { caseInsensitive: boolean }).caseInsensitive = true;
    this.byKey.clear();
    for (const p of this.files.keys()) this.byKey.set(keyOf(p, true), p);
    return this;
  }

  canonical(path: string): string | undefined {
    return this.byKey.get(keyOf(path, this.caseInsensitive));
  }

  get(path: string): Json | undefined {
    const c = this.canonical(path);
    if (!c) return undefined;
    if (!this.cache.has(c)) {
      try {
        this.cache.set(c, JSON.parse(readFileSync(this.files.get(c)!, 'utf8')) as Json);
      } catch {
        this.cache.set(c, null);
      }
    }
    return this.cache.get(c) ?? undefined;
  }

  paths(): string[] {
    return [...this.files.keys()];
  }
}

/** A tree built in memory (the generic profile). */
export class MemoryTree implements ResourceTree {
  readonly caseInsensitive = false;
  private readonly docs = new Map<string, Json>();

  set(path: string, doc: Json): void {
    this.docs.set(normPath(path), doc);
  }

  canonical(path: string): string | undefined {
    const n = normPath(path);
    return this.docs.has(n) ? n : undefined;
  }

  get(path: string): Json | undefined {
    return this.docs.get(normPath(path));
  }

  paths(): string[] {
    return [...this.docs.keys()];
  }
}

/** True when `dir` looks like a mockup folder. */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A mockup folder: `redfish/v1/index.json` inside it, or the short form whose own
 * `index.json` is the service root (as in DMTF Redfish-Publications and the
 * Redfish-Mockup-Server's `--short-form`).
 */
export function isMockupDir(dir: string): boolean {
  if (isFile(join(dir, 'redfish', 'v1', 'index.json'))) return true;
  if (!isFile(join(dir, 'index.json'))) return false;
  try {
    const root = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Json;
    return String(root['@odata.type'] ?? '').startsWith('#ServiceRoot.');
  } catch {
    return false;
  }
}
