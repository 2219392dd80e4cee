/**
 * Where the team's shared test data lives: `../shared` beside the project root (CI lays
 * it out the same way), overridable with INGOT_SHARED_DIR.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const SHARED_DIR = process.env.INGOT_SHARED_DIR ?? resolve(projectRoot, '..', 'shared');
export const API_SAMPLES_DIR = join(SHARED_DIR, 'data', 'ironic-api-samples');
export const REDFISH_MOCKUPS_DIR = join(SHARED_DIR, 'data', 'redfish-mockups');
export const SUSHY_SAMPLES_DIR = join(SHARED_DIR, 'data', 'sushy-json-samples');
export const PEER_DIR = join(SHARED_DIR, 'peer', 'ironic');
