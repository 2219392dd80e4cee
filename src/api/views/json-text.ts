/**
 * A response body that is already JSON text. Handlers return it instead of an object
 * when they rendered the JSON themselves (node views); the server's reply serializer
 * sends the text as it is, with the usual JSON content type.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** The reply serializer: JSON text as is, anything else through JSON.stringify. */
export function serializeReply(payload: unknown): string {
  return payload instanceof JsonText ? payload.text : JSON.stringify(payload);
}
