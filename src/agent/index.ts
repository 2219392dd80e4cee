export { startAgent, AGENT_VERSION, type AgentOptions, type RunningAgent } from './agent.ts';
export { LabMachine, loadAgentMachine } from './hardware/lab.ts';
export { LinuxMachine } from './hardware/linux.ts';
export type { Machine, Disk, Inventory } from './hardware/types.ts';
