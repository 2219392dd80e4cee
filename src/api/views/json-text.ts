/**
 * A response body that is already JSON: text, or UTF-8 bytes. Handlers return it instead
 * of an object when they rendered the JSON themselves (node views); the server's reply
 * serializer sends it as it is, with the usual JSON content type.
 */
export class JsonText {
  constructor(readonly body: string | Buffer) {}
}

/** The reply serializer: JSON text as is, anything else through JSON.stringify. */
export function serializeReply(payload: unknown): string {
  // Fastify sends a Buffer from the serializer as it sends a string (with its length).
  return payload instanceof JsonText ? (payload.body as string) : JSON.stringify(payload);
}

/**
 * Builds a large JSON body straight into UTF-8 bytes, piece by piece, so that each piece
 * (one node's text) dies young and no megabyte-sized string is flattened and then
 * encoded again at send time.
 */
export class JsonBytes {
  private buf: Buffer;
  private len = 0;
  constructor(sizeHint: number) { this.buf = Buffer.allocUnsafe(Math.max(1024, sizeHint)); }

  write(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (this.len + s.length * 3 > this.buf.length) {
      const need = this.len + s.length * 3;
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    this.len += this.buf.write(s, this.len);
  }

  toJsonText(): JsonText { return new JsonText(this.buf.subarray(0, this.len)); }
}
