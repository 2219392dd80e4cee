/**
 * Redfish error bodies for the lab BMC.
 *
 * Every failure the emulator reports is a `RedfishError`: an HTTP status plus one or more
 * Base-registry message references. `errorBody()` turns it into the standard
 * `{"error": {code, message, "@Message.ExtendedInfo": [...]}}` shape that sushy parses.
 *
 * Message ids come from the DMTF Base registry. When the active profile ships its own Base
 * registry (e.g. `Registries/Base.1.5.0.json`) and that registry knows the id, the id carries the
 * profile's version and text, so a vendor profile answers in its own dialect; otherwise the
 * built-in catalogue below (Base 1.11.0 ids, our own wording) is used.
 *
 * @module
 */

/** Message ids of the Base registry that the emulator uses. */
export type BaseMessageId =
  | 'Success' | 'GeneralError' | 'Created' | 'PropertyUnknown' | 'PropertyNotWritable'
  | 'PropertyValueNotInList' | 'PropertyValueTypeError' | 'PropertyValueOutOfRange' | 'PropertyMissing'
  | 'MalformedJSON' | 'EmptyJSON' | 'ActionNotSupported' | 'ActionParameterMissing'
  | 'ActionParameterUnknown' | 'ActionParameterValueNotInList' | 'ActionParameterValueTypeError' | 'ActionParameterValueConflict'
  | 'ResourceMissingAtURI' | 'ResourceInUse' | 'ResourceCannotBeDeleted' | 'NoValidSession'
  | 'PreconditionFailed' | 'InternalError' | 'ServiceTemporarilyUnavailable' | 'OperationNotAllowed'
  | 'ResourceExhaustion' | 'StringValueTooLong' | 'CreateFailedMissingReqProperties';

interface CatalogEntry { message: string; severity: 'OK' | 'Warning' | 'Critical'; resolution: string }

/** Built-in catalogue. `%1`.. are replaced by the message args, as in a Redfish registry. */
const BUILTIN: Record<BaseMessageId, CatalogEntry> = {
  Success: { message: 'The request completed successfully.', severity: 'OK', resolution: 'None.' },
  GeneralError: { message: 'A general error occurred; see the extended information.', severity: 'Critical', resolution: 'See the extended information for the resolution.' },
  Created: { message: 'The resource was created.', severity: 'OK', resolution: 'None.' },
  PropertyUnknown: { message: 'The property %1 is not a known property of this resource.', severity: 'Warning', resolution: 'Remove the unknown property and resubmit the request.' },
  PropertyNotWritable: { message: 'The property %1 is read-only and cannot be assigned a value.', severity: 'Warning', resolution: 'Remove the property from the request body and resubmit the request.' },
  PropertyValueNotInList: { message: 'The value %1 for the property %2 is not one of the acceptable values.', severity: 'Warning', resolution: 'Choose a value from the enumeration list and resubmit the request.' },
  PropertyValueTypeError: { message: 'The value %1 for the property %2 has a type the property does not accept.', severity: 'Warning', resolution: 'Correct the value type and resubmit the request.' },
  PropertyValueOutOfRange: { message: 'The value %1 for the property %2 is outside the supported range.', severity: 'Warning', resolution: 'Correct the value and resubmit the request.' },
  PropertyMissing: { message: 'The property %1 is required and was not included in the request.', severity: 'Warning', resolution: 'Add the required property and resubmit the request.' },
  MalformedJSON: { message: 'The request body is not valid JSON.', severity: 'Critical', resolution: 'Correct the request body and resubmit the request.' },
  EmptyJSON: { message: 'The request body is an empty JSON object.', severity: 'Warning', resolution: 'Add properties to the request body and resubmit the request.' },
  ActionNotSupported: { message: 'The action %1 is not supported by this resource.', severity: 'Critical', resolution: 'Check the Actions property of the resource for the supported actions.' },
  ActionParameterMissing: { message: 'The action %1 requires the parameter %2.', severity: 'Critical', resolution: 'Add the parameter and resubmit the request.' },
  ActionParameterUnknown: { message: 'The action %1 was given the unknown parameter %2.', severity: 'Warning', resolution: 'Correct the parameter name and resubmit the request.' },
  ActionParameterValueNotInList: { message: 'The value %1 for the parameter %2 of the action %3 is not one of the acceptable values.', severity: 'Warning', resolution: 'Choose a value from the allowable values and resubmit the request.' },
  ActionParameterValueTypeError: { message: 'The value %1 for the parameter %2 of the action %3 has a type the parameter does not accept.', severity: 'Warning', resolution: 'Correct the value type and resubmit the request.' },
  ActionParameterValueConflict: { message: 'The value %2 for the parameter %1 cannot be applied in the current state of the resource.', severity: 'Warning', resolution: 'Wait until the resource is in a stable state (for example until a power change has ended) and resubmit the request.' },
  ResourceMissingAtURI: { message: 'There is no resource at the URI %1.', severity: 'Critical', resolution: 'Use a URI of an existing resource.' },
  ResourceInUse: { message: 'The resource is in use or in transition and cannot be changed now.', severity: 'Warning', resolution: 'Release the resource (for example eject the media) and retry.' },
  ResourceCannotBeDeleted: { message: 'The resource cannot be deleted.', severity: 'Critical', resolution: 'Do not attempt to delete this resource.' },
  NoValidSession: { message: 'There is no valid session or credential for this request.', severity: 'Critical', resolution: 'Log in with valid credentials or create a session and retry.' },
  PreconditionFailed: { message: 'The ETag in If-Match does not match the current ETag of the resource.', severity: 'Critical', resolution: 'Read the resource again and retry with its current ETag.' },
  InternalError: { message: 'The request failed because of an internal service error.', severity: 'Critical', resolution: 'Retry the request; report the problem if it persists.' },
  ServiceTemporarilyUnavailable: { message: 'The service is temporarily unavailable. Retry in %1 seconds.', severity: 'Critical', resolution: 'Wait the indicated time and retry.' },
  OperationNotAllowed: { message: 'The HTTP method is not allowed on this resource.', severity: 'Critical', resolution: 'Use a method listed in the Allow header.' },
  ResourceExhaustion: { message: 'The resource %1 cannot satisfy the request because it lacks capacity.', severity: 'Critical', resolution: 'Free capacity or request less and retry.' },
  StringValueTooLong: { message: 'The string %1 exceeds the length limit %2.', severity: 'Warning', resolution: 'Shorten the string and retry.' },
  CreateFailedMissingReqProperties: { message: 'The create operation failed because the required property %1 is missing.', severity: 'Critical', resolution: 'Add the property and resubmit the request.' },
};

const BUILTIN_VERSION = 'Base.1.11.0';

/** One message in an error (or success) answer. `related` are JSON pointers like `#/Boot/BootSourceOverrideTarget`. */
export interface MessageRef {
  id: BaseMessageId;
  args?: Array<string | number>;
  related?: string[];
}

/** A failure with its HTTP status. Thrown by the state model and the router; rendered once in the server. */
export class RedfishError extends Error {
  readonly status: number;
  readonly messages: MessageRef[];
  readonly headers: Record<string, string>;
  constructor(status: number, messages: MessageRef | MessageRef[], headers: Record<string, string> = {}) {
    const list = Array.isArray(messages) ? messages : [messages];
    super(`${status} ${list.map((m) => m.id).join(', ')}`);
    this.name = 'RedfishError';
    this.status = status;
    this.messages = list;
    this.headers = headers;
  }
}

/** Shorthands for the errors the emulator raises; property names are plain paths like `Boot/BootSourceOverrideTarget`. */
export const fail = {
  notFound: (uri: string) => new RedfishError(404, { id: 'ResourceMissingAtURI', args: [uri] }),
  propertyUnknown: (prop: string) => new RedfishError(400, { id: 'PropertyUnknown', args: [leaf(prop)], related: [ptr(prop)] }),
  notWritable: (prop: string) => new RedfishError(400, { id: 'PropertyNotWritable', args: [leaf(prop)], related: [ptr(prop)] }),
  notInList: (value: unknown, prop: string) => new RedfishError(400, { id: 'PropertyValueNotInList', args: [show(value), leaf(prop)], related: [ptr(prop)] }),
  typeError: (value: unknown, prop: string) => new RedfishError(400, { id: 'PropertyValueTypeError', args: [show(value), leaf(prop)], related: [ptr(prop)] }),
  missing: (prop: string) => new RedfishError(400, { id: 'PropertyMissing', args: [leaf(prop)], related: [ptr(prop)] }),
  actionParamMissing: (action: string, param: string) => new RedfishError(400, { id: 'ActionParameterMissing', args: [action, param], related: [ptr(param)] }),
  actionParamUnknown: (action: string, param: string) => new RedfishError(400, { id: 'ActionParameterUnknown', args: [action, param], related: [ptr(param)] }),
  actionParamNotInList: (value: unknown, param: string, action: string) =>
    new RedfishError(400, { id: 'ActionParameterValueNotInList', args: [show(value), param, action], related: [ptr(param)] }),
  actionParamType: (value: unknown, param: string, action: string) =>
    new RedfishError(400, { id: 'ActionParameterValueTypeError', args: [show(value), param, action], related: [ptr(param)] }),
  /** 409: the value is valid but not now (e.g. a reset while a power change is under way). */
  actionParamConflict: (param: string, value: unknown) =>
    new RedfishError(409, { id: 'ActionParameterValueConflict', args: [param, show(value)], related: [ptr(param)] }),
  malformed: () => new RedfishError(400, { id: 'MalformedJSON' }),
  inUse: () => new RedfishError(409, { id: 'ResourceInUse' }),
  noSession: () => new RedfishError(401, { id: 'NoValidSession' }, { 'WWW-Authenticate': 'Basic realm="Ingot lab BMC"' }),
  precondition: () => new RedfishError(412, { id: 'PreconditionFailed' }),
  methodNotAllowed: (allow: string[]) => new RedfishError(405, { id: 'OperationNotAllowed' }, { Allow: allow.join(', ') }),
};

/** Merges several 400s into one answer so a client sees every bad property at once. */
export function combine(errors: RedfishError[]): RedfishError {
  if (errors.length === 1) return errors[0]!;
  return new RedfishError(errors[0]!.status, errors.flatMap((e) => e.messages));
}

function leaf(prop: string): string { return prop.split('/').pop() ?? prop; }
function ptr(prop: string): string { return `#/${prop}`; }
function show(v: unknown): string { return typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined'; }

/** Resolves message ids to text, preferring the profile's own Base registry when it has the id. */
export class MessageCatalog {
  private readonly profileMessages: Record<string, { Message?: string; Severity?: string; Resolution?: string }>;
  private readonly profileVersion: string | null;

  /** @param baseRegistry the parsed `#MessageRegistry` JSON of the profile's Base registry, if any */
  constructor(baseRegistry?: unknown) {
    const reg = baseRegistry as { RegistryPrefix?: string; RegistryVersion?: string; Messages?: Record<string, never> } | undefined;
    if (reg?.RegistryPrefix === 'Base' && reg.Messages && reg.RegistryVersion) {
      this.profileMessages = reg.Messages;
      this.profileVersion = `Base.${reg.RegistryVersion}`;
    } else {
      this.profileMessages = {};
      this.profileVersion = null;
    }
  }

  /** The Message resource for one reference, as it appears in `@Message.ExtendedInfo`. */
  message(ref: MessageRef): Record<string, unknown> {
    const own = this.profileVersion ? this.profileMessages[ref.id] : undefined;
    const entry = BUILTIN[ref.id];
    const template = own?.Message ?? entry.message;
    const args = (ref.args ?? []).map(String);
    const severity = own?.Severity ?? entry.severity;
    return {
      '@odata.type': '#Message.v1_1_1.Message',
      MessageId: `${own ? this.profileVersion : BUILTIN_VERSION}.${ref.id}`,
      Message: template.replace(/%(\d+)/g, (_m, n: string) => args[Number(n) - 1] ?? ''),
      MessageArgs: args,
      ...(ref.related ? { RelatedProperties: ref.related } : {}),
      Severity: severity,
      MessageSeverity: severity,
      Resolution: own?.Resolution ?? entry.resolution,
    };
  }

  /** The full error body for a RedfishError. `code` is the single message's id, else GeneralError. */
  errorBody(err: RedfishError): Record<string, unknown> {
    const info = err.messages.map((m) => this.message(m));
    const single = info.length === 1 ? info[0]! : null;
    const general = this.message({ id: 'GeneralError' });
    return {
      error: {
        code: single ? single.MessageId : general.MessageId,
        message: single ? single.Message : general.Message,
        '@Message.ExtendedInfo': info,
      },
    };
  }

  /** A Base registry document generated from the built-in catalogue, served by the generic profile. */
  static builtinRegistry(): Record<string, unknown> {
    const messages: Record<string, unknown> = {};
    for (const [id, e] of Object.entries(BUILTIN)) {
      messages[id] = { Description: e.message, Message: e.message, Severity: e.severity, MessageSeverity: e.severity, NumberOfArgs: (e.message.match(/%\d/g) ?? []).length, Resolution: e.resolution };
    }
    return {
      '@odata.type': '#MessageRegistry.v1_4_0.MessageRegistry', Id: BUILTIN_VERSION, Name: 'Base Message Registry (Ingot lab subset)',
      Language: 'en', RegistryPrefix: 'Base', RegistryVersion: BUILTIN_VERSION.slice('Base.'.length), OwningEntity: 'DMTF', Messages: messages,
    };
  }
}
