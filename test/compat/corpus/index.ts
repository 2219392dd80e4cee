/** The whole corpus, in replay order (each scenario cleans up what it creates). */
import type { Scenario } from '../runner.ts';
import { rootScenarios } from './root.ts';
import { nodeScenarios } from './nodes.ts';
import { nodeListScenarios } from './node-lists.ts';
import { provisionScenarios } from './provision.ts';
import { portScenarios } from './ports.ts';
import { miscScenarios } from './misc.ts';
import { badInputScenarios } from './bad-input.ts';
import { nodeSubresourceScenarios } from './node-subresources.ts';
import { provisionMoreScenarios } from './provision-more.ts';
import { resourceMoreScenarios } from './resources-more.ts';
import { resourceProbeScenarios } from './resources-probe.ts';
import { nodeProbeScenarios } from './nodes-probe.ts';
import { apiAnswerScenarios } from './api-answers.ts';

export const CORPUS: Scenario[] = [
  ...rootScenarios, ...nodeScenarios, ...nodeListScenarios, ...provisionScenarios, ...provisionMoreScenarios, ...portScenarios, ...resourceMoreScenarios,
  ...nodeSubresourceScenarios, ...miscScenarios, ...badInputScenarios, ...nodeProbeScenarios, ...resourceProbeScenarios,
  ...apiAnswerScenarios,
];
