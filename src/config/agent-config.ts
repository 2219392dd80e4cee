/** The agent flows' options live in core/agent-config.ts (drivers read them; drivers may not import config). */
export { loadAgentConfig, type AgentConfig, type ImageDownloadSource, type DeployLogsCollect } from '../core/agent-config.ts';
