/**
 * Typed errors of the Redfish client, and the parser of Redfish error bodies.
 *
 * Contract: every failure the client raises is a `RedfishClientError`, whose `retryable` says
 * whether repeating the same call later, unchanged, may succeed (BMC busy, network blip: yes;
 * bad credentials, invalid value, missing feature: no). `.message` is written for an operator:
 * it names the request, the BMC's own words, and what to check.
 *
 * This module imports nothing else from the client so that every other file can use it.
 */

/** One entry of `@Message.ExtendedInfo` (Redfish Message schema), tolerant of missing fields. */
export interface RedfishMessage {
  messageId?: string;
  message?: string;
  severity?: string;
  resolution?: string;
  messageArgs: string[];
  relatedProperties: string[];
}

/** Base class: lets callers `catch (e) { if (e instanceof RedfishClientError) ... }`. */
export class RedfishClientError extends Error {
  readonly retryable: boolean;
  constructor(message: string, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.retryable = opts.retryable ?? false;
  }
}

/**
 * Why an authentication failure happened, when the client knows:
 * - `login-refused`: the BMC refused the session login (POST to Sessions): bad credentials;
 * - `credentials-refused`: a request with HTTP Basic credentials (or none) was refused;
 * - `session-dropped`: a request was refused right after a successful (re-)login: the BMC
 *   dropped the new session; the credentials are fine.
 */
export type AuthFailure = 'login-refused' | 'credentials-refused' | 'session-dropped';

/** The BMC answered with an HTTP status >= 400. */
export class RedfishError extends RedfishClientError {
  readonly status: number;
  /** Redfish `error.code` (e.g. `Base.1.0.GeneralError`), else the first MessageId. */
  readonly code: string;
  /** Human texts of the BMC, most severe first (Critical, Warning, others). */
  readonly messages: string[];
  readonly messageIds: string[];
  readonly extendedInfo: RedfishMessage[];
  readonly method: string;
  readonly url: string;
  /** Parsed JSON body when there was one (for vendor-specific inspection). */
  readonly body: unknown;
  /** Set on 401/403 authentication failures the client could classify. */
  readonly auth: AuthFailure | undefined;
  /** The account used, for authentication failures. */
  readonly username: string | undefined;
  constructor(init: {
    method: string; url: string; status: number; body: unknown; text?: string; hint?: string;
    auth?: AuthFailure; username?: string; retryable?: boolean;
  }) {
    const parsed = parseErrorBody(init.body, init.text);
    const detail = parsed.messages.length > 0 ? parsed.messages.join('; ') : `HTTP ${init.status}`;
    const resolution = parsed.extendedInfo.find((m) => m.resolution)?.resolution;
    let message = `Redfish ${init.method} ${init.url} failed with HTTP ${init.status} (${parsed.code}): ${detail}`;
    if (resolution && !detail.includes(resolution)) message += `${endSentence(message)} Resolution: ${resolution}`;
    if (init.hint) message += `${endSentence(message)} ${init.hint}`;
    super(message, { retryable: init.retryable ?? isRetryableStatus(init.status) });
    this.status = init.status;
    this.auth = init.auth;
    this.username = init.username;
    this.code = parsed.code;
    this.messages = parsed.messages;
    this.messageIds = parsed.extendedInfo.map((m) => m.messageId).filter((x): x is string => !!x);
    this.extendedInfo = parsed.extendedInfo;
    this.method = init.method;
    this.url = init.url;
    this.body = init.body;
  }

  /** True when any message id, arg, related property or text mentions `word` (case-insensitive). */
  mentions(word: string): boolean {
    const w = word.toLowerCase();
    const texts = [
      ...this.messages,
      ...this.extendedInfo.flatMap((m) => [m.messageId ?? '', ...m.messageArgs, ...m.relatedProperties]),
    ];
    return texts.some((t) => t.toLowerCase().includes(w));
  }
}

export type ConnectionErrorKind = 'connect' | 'timeout' | 'tls' | 'closed';

/**
 * The request never produced an HTTP answer: refused, reset, DNS, timeout, TLS failure.
 * Retryable, except TLS verification failures (a retry cannot fix a certificate).
 */
export class RedfishConnectionError extends RedfishClientError {
  readonly kind: ConnectionErrorKind;
  readonly method: string;
  readonly url: string;
  /** True when the request certainly never reached the BMC (refused, DNS, connect timeout). */
  readonly notSent: boolean;
  constructor(init: {
    method: string; url: string; kind: ConnectionErrorKind; detail: string; cause?: unknown; notSent?: boolean;
  }) {
    const what = init.kind === 'timeout' ? 'timed out' : init.kind === 'tls' ? 'failed TLS verification' : 'failed';
    super(`Redfish ${init.method} ${init.url} ${what}: ${init.detail}`, {
      retryable: init.kind !== 'tls' && init.kind !== 'closed',
      cause: init.cause,
    });
    this.kind = init.kind;
    this.notSent = init.notSent ?? false;
    this.method = init.method;
    this.url = init.url;
  }
}

/** The BMC's answer does not fit the protocol or lacks something we need (header, link, action). */
export class RedfishProtocolError extends RedfishClientError {
  readonly url: string | undefined;
  constructor(message: string, opts: { url?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts);
    this.url = opts.url;
  }
}

/** The caller asked for a value this BMC does not allow (per `@Redfish.AllowableValues`/ActionInfo). */
export class RedfishInvalidValueError extends RedfishClientError {
  readonly parameter: string;
  readonly value: unknown;
  readonly allowed: readonly string[];
  constructor(parameter: string, value: unknown, allowed: readonly string[], resource?: string) {
    super(`Value ${JSON.stringify(value)} for ${parameter} is not supported` +
      `${resource ? ` by ${resource}` : ''}; allowed values: ${allowed.join(', ') || '(none)'}`);
    this.parameter = parameter;
    this.value = value;
    this.allowed = allowed;
  }
}

/** An asynchronous operation (task) ended badly or did not end in time. */
export class RedfishTaskError extends RedfishClientError {
  readonly taskUri: string;
  readonly taskState: string | undefined;
  readonly taskStatus: string | undefined;
  readonly messages: string[];
  readonly timedOut: boolean;
  constructor(init: {
    taskUri: string; taskState?: string; taskStatus?: string; messages?: string[]; timedOut?: boolean;
  }) {
    const msgs = init.messages ?? [];
    const head = init.timedOut
      ? `Timed out waiting for Redfish task ${init.taskUri} (last state ${init.taskState ?? 'unknown'})`
      : `Redfish task ${init.taskUri} ended in state ${init.taskState ?? 'unknown'}` +
        `${init.taskStatus ? ` with status ${init.taskStatus}` : ''}`;
    super(msgs.length > 0 ? `${head}: ${msgs.join('; ')}` : head, { retryable: init.timedOut ?? false });
    this.taskUri = init.taskUri;
    this.taskState = init.taskState;
    this.taskStatus = init.taskStatus;
    this.messages = msgs;
    this.timedOut = init.timedOut ?? false;
  }
}

/** '.' when `text` does not already end a sentence (joins BMC text and our hints readably). */
function endSentence(text: string): string {
  return /[.!?]$/.test(text.trimEnd()) ? '' : '.';
}

/** 5xx (the BMC may recover) and 429 are retryable; other statuses are not. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

const SEVERITY_RANK: Record<string, number> = { critical: 0, warning: 1 };

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((v) => v !== null && v !== undefined).map(String) : [];
}

/** Parses one Message object; substitutes `%1..%n` from MessageArgs when needed. */
export function parseMessage(raw: unknown): RedfishMessage {
  const m = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const args = strings(m['MessageArgs']);
  const text = typeof m['Message'] === 'string' ? m['Message'] : undefined;
  return {
    messageId: typeof m['MessageId'] === 'string' ? m['MessageId'] : undefined,
    message: text === undefined ? undefined : substituteArgs(text, args),
    severity: typeof m['Severity'] === 'string' ? m['Severity']
      : typeof m['MessageSeverity'] === 'string' ? m['MessageSeverity'] as string : undefined,
    resolution: typeof m['Resolution'] === 'string' ? m['Resolution'] : undefined,
    messageArgs: args,
    relatedProperties: strings(m['RelatedProperties']),
  };
}

/** Replaces `%1`, `%2`… with the matching MessageArgs entry (registry message templates). */
export function substituteArgs(text: string, args: readonly string[]): string {
  return text.replace(/%(\d+)/g, (all, n: string) => args[Number(n) - 1] ?? all);
}

/** Readable text of a message: its Message, else its MessageId. */
export function messageText(m: RedfishMessage): string | undefined {
  return m.message ?? m.messageId;
}

/** Parses a list of Message objects (or a single object, as some BMCs send) ordered most severe first. */
export function parseMessages(raw: unknown): RedfishMessage[] {
  const list = Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? [raw] : [];
  const parsed = list.map(parseMessage);
  // Stable sort: Critical, then Warning, then everything else in BMC order.
  return parsed
    .map((m, i) => ({ m, i, r: SEVERITY_RANK[(m.severity ?? '').toLowerCase()] ?? 2 }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.m);
}

/**
 * Parses a Redfish error body (`{"error": {"code", "message", "@Message.ExtendedInfo"}}`).
 * Also copes with bare `@Message.ExtendedInfo` at top level, a single object instead of an
 * array, and non-JSON bodies (the text, trimmed, becomes the only message).
 */
export function parseErrorBody(body: unknown, text?: string): {
  code: string; messages: string[]; extendedInfo: RedfishMessage[];
} {
  const obj = body && typeof body === 'object' ? body as Record<string, unknown> : undefined;
  const err = obj && obj['error'] && typeof obj['error'] === 'object'
    ? obj['error'] as Record<string, unknown> : obj;
  const extendedInfo = parseMessages(err?.['@Message.ExtendedInfo']);
  const messages: string[] = [];
  for (const m of extendedInfo) {
    const t = messageText(m);
    if (t && !messages.includes(t)) messages.push(t);
  }
  const top = typeof err?.['message'] === 'string' ? err['message'] as string : undefined;
  // The top-level message is often a "see ExtendedInfo" pointer; only use it when it adds text.
  if (top && messages.length === 0) messages.push(top);
  if (messages.length === 0 && !obj && text && text.trim()) messages.push(text.trim().slice(0, 300));
  const code = typeof err?.['code'] === 'string' ? err['code'] as string
    : extendedInfo.find((m) => m.messageId)?.messageId ?? 'Base.1.0.GeneralError';
  return { code, messages, extendedInfo };
}
