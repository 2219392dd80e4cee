/** Agent-based implementations: `direct` deploy, `agent` rescue and power, and their agent client. */
export { DirectDeploy } from './direct.ts';
export { AgentRescue, AgentPower } from './rescue-power.ts';
export { AgentClient, commandError, type CommandResult } from './client.ts';
export type { ImageServing } from './image.ts';
