/**
 * The agent's errors, in the shape IPA serialises them: a result's `command_error` is
 * `{type, code, message, details}` and an HTTP error body is `{faultcode, faultstring}`
 * (faultcode `Server` when the status is >= 500). The conductor shows `details`
 * (else `message`) in the node's `last_error`, so `details` says what happened and
 * what to do.
 */

export class AgentError extends Error {
  /** IPA's class name (`ImageChecksumError`, ...); Ironic looks at `type` (`TypeError` is fatal). */
  readonly type: string;
  /** HTTP status when raised while accepting a request; also serialised as `code`. */
  readonly code: number;
  /** Short, fixed text per type. */
  readonly short: string;
  readonly details: string;

  constructor(type: string, code: number, short: string, details: string) {
    super(`${short}: ${details}`);
    this.name = type;
    this.type = type;
    this.code = code;
    this.short = short;
    this.details = details;
  }

  toJSON(): { type: string; code: number; message: string; details: string } {
    return { type: this.type, code: this.code, message: this.short, details: this.details };
  }
}

export const invalidCommand = (details: string) =>
  new AgentError('InvalidCommandError', 400, 'Invalid command', details);
export const invalidParams = (details: string) =>
  new AgentError('InvalidCommandParamsError', 400, 'Invalid command parameters', details);
export const notFound = (what: string, id: string) =>
  new AgentError('RequestedObjectNotFoundError', 404, 'Not found', `${what} with id ${id} not found.`);
export const agentBusy = (running: string) =>
  new AgentError('AgentIsBusy', 409, 'Agent is busy', `executing command ${running}`);
export const commandFailed = (details: string) =>
  new AgentError('CommandExecutionError', 500, 'Command execution failed', details);
export const versionMismatch = (agent: Record<string, string>, given: unknown) =>
  new AgentError('VersionMismatch', 409,
    'Hardware managers version mismatch, reload agent with correct version',
    `Current state is: ${JSON.stringify(agent)}, received state is: ${JSON.stringify(given)}`);
export const imageDownloadError = (imageId: string, msg: string) =>
  new AgentError('ImageDownloadError', 500, 'Error downloading image', `Download of image ${imageId} failed: ${msg}`);
export const imageChecksumError = (location: string, imageId: string, expected: string, actual: string) =>
  new AgentError('ImageChecksumError', 500, 'Error verifying image checksum',
    `Image failed to verify against checksum. location: ${location}; image ID: ${imageId}; ` +
    `image checksum: ${expected}; verification checksum: ${actual}`);
export const imageWriteError = (device: string, details: string) =>
  new AgentError('ImageWriteError', 500, 'Error writing image to device', `Writing image to device ${device} failed: ${details}`);
export const invalidImage = (details: string) =>
  new AgentError('InvalidImage', 500, 'The provided image is not valid for use', details);
export const deviceNotFound = (details: string) =>
  new AgentError('DeviceNotFound', 404, 'Error finding the disk or partition device to deploy the image onto', details);
export const configDriveError = (details: string) =>
  new AgentError('InstanceDeployFailure', 500, 'Failed to write the config drive', details);
export const blockDeviceEraseError = (details: string) =>
  new AgentError('BlockDeviceEraseError', 500, 'Error erasing block device', details);
export const incompatibleHardwareMethod = (details: string) =>
  new AgentError('IncompatibleHardwareMethodError', 500,
    'HardwareManager method is not compatible with current hardware', details);

/** Any thrown value as an AgentError; plain errors become CommandExecutionError, as IPA wraps them. */
export function asAgentError(err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return commandFailed(err instanceof Error ? err.message : String(err));
}
