/**
 * The one bounded reader of a byte stream (a request body, a remote server's
 * response): it stops reading at the limit, so nothing past it is buffered.
 */
import { raceSignal } from "./signal.js";

/** A stream passed its byte limit; the reader was cancelled at that point. */
export class BodyTooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(`the body is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
    this.limit = limit;
  }
}

/**
 * Every byte of `stream`, at most `limit` of them: past it the stream is
 * cancelled and {@link BodyTooLargeError} thrown. An error of the stream
 * itself is rethrown as it is. When `signal` aborts first, the stream is
 * cancelled and the read rejects with the signal's reason, so a peer that
 * stalls mid-body holds nothing once its caller gave up.
 */
export async function readBounded(stream: ReadableStream<Uint8Array> | null, limit: number, signal?: AbortSignal): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await raceSignal(reader.read(), signal);
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new BodyTooLargeError(limit);
      chunks.push(value);
    }
  } catch (error) {
    // Stop the transfer here: nothing more is read or buffered.
    void reader.cancel().catch(() => {});
    throw error;
  } finally {
    reader.releaseLock();
  }
  return concat(chunks, size);
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
