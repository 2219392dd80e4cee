/**
 * Minimal logger contract: a subset of pino's API, so an Ingot pino logger (or a child of it)
 * can be passed directly. The client never logs passwords, tokens or request bodies.
 */
export interface RedfishLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = (): void => {};

/** Logger that drops everything (the default). */
export const silentLogger: RedfishLogger = { debug: noop, info: noop, warn: noop, error: noop };
