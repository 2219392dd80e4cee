/** Which drivers are enabled and defaulted: configuration data the driver registry reads. */
import type { InterfaceKind } from './node.ts';

export interface DriverConfig {
  enabledHardwareTypes: string[];
  enabledInterfaces: Record<InterfaceKind, string[]>;
  /** Operator-chosen default per kind (must be enabled and supported), else first match. */
  defaultInterfaces: Partial<Record<InterfaceKind, string>>;
}
