/** Public surface of the conductor area. */
export { Conductor, type ConductorOptions } from './conductor.ts';
