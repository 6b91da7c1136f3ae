/** Signing and roomgate's WebhookHandler: agreement with the official handler, tolerance, rotation, tampering. */
import { WebhookHandler as OfficialHandler } from "@liveblocks/node";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WebhookHandler, WebhookVerificationError, generateWebhookSecret, signWebhook } from "../../src/index.js";

const NOW = 1_767_000_000_000;
const body = JSON.stringify({ type: "roomCreated", data: { projectId: "pr_1", roomId: "r", createdAt: "2026-01-01T00:00:00.000Z" } });

function signed(secrets: string[], timestamp = Math.floor(NOW / 1000), rawBody = body) {
  return { headers: signWebhook({ id: "msg_1", timestamp, body: rawBody, secrets }), rawBody };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof WebhookVerificationError ? error.code : "OTHER";
  }
}

describe("webhook signatures", () => {
  it("verifyRequest - accepts within ±5 minutes, refuses outside with TIMESTAMP_TOO_OLD / TIMESTAMP_IN_FUTURE", () => {
    const secret = generateWebhookSecret();
    const handler = new WebhookHandler(secret, { now: () => NOW });
    fc.assert(
      fc.property(fc.integer({ min: -900, max: 900 }), (offset) => {
        const code = codeOf(() => handler.verifyRequest(signed([secret], Math.floor(NOW / 1000) + offset)));
        if (Math.abs(offset) <= 300) expect(code).toBeUndefined();
        else expect(code).toBe(offset < 0 ? "TIMESTAMP_TOO_OLD" : "TIMESTAMP_IN_FUTURE");
      }),
    );
  });

  it("verifyRequest - any one of several signatures matches (rotation); the official handler agrees on the same requests", () => {
    const [a, b, c] = [generateWebhookSecret(), generateWebhookSecret(), generateWebhookSecret()];
    const request = { ...signed([a, b], Math.floor(Date.now() / 1000)) };
    expect(request.headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [a, b]) {
      expect(new WebhookHandler(secret).verifyRequest(request).type).toBe("roomCreated");
      expect(new OfficialHandler(secret).verifyRequest(request).type).toBe("roomCreated");
    }
    expect(codeOf(() => new WebhookHandler(c).verifyRequest(request))).toBe("INVALID_SIGNATURE");
    expect(() => new OfficialHandler(c).verifyRequest(request)).toThrow();
    // A handler given both secrets (the receiver's side of a rotation) takes either signature.
    expect(new WebhookHandler([c, b]).verifyRequest(signed([b], Math.floor(Date.now() / 1000))).type).toBe("roomCreated");
  });

  it("verifyRequest - any change to the id, timestamp or body breaks the signature; the error never echoes a signature", () => {
    const secret = generateWebhookSecret();
    const handler = new WebhookHandler(secret, { now: () => NOW });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }), (extra) => {
        const request = signed([secret]);
        const tampered = [
          { ...request, rawBody: request.rawBody + extra },
          { ...request, headers: { ...request.headers, "webhook-id": request.headers["webhook-id"] + extra } },
        ];
        for (const t of tampered) {
          let message = "";
          expect(
            codeOf(() => {
              try {
                handler.verifyRequest(t);
              } catch (error) {
                message = (error as Error).message;
                throw error;
              }
            }),
          ).toBe("INVALID_SIGNATURE");
          expect(message).not.toContain(request.headers["webhook-signature"].slice(3, 20));
        }
      }),
    );
  });

  it("verifyRequest - refuses missing headers, a non-numeric timestamp and unknown event types, with codes", () => {
    const secret = generateWebhookSecret();
    const handler = new WebhookHandler(secret, { now: () => NOW });
    const request = signed([secret]);
    expect(codeOf(() => handler.verifyRequest({ ...request, headers: { "webhook-id": "x", "webhook-timestamp": "1" } }))).toBe(
      "MISSING_HEADER",
    );
    expect(codeOf(() => handler.verifyRequest({ ...request, headers: { ...request.headers, "webhook-timestamp": "12abc" } }))).toBe(
      "INVALID_TIMESTAMP",
    );
    const unknown = signed([secret], Math.floor(NOW / 1000), JSON.stringify({ type: "roomExploded", data: {} }));
    expect(codeOf(() => handler.verifyRequest(unknown))).toBe("UNKNOWN_EVENT_TYPE");
    // Headers as a Headers object and with any case, as frameworks hand them over.
    const headers = new Headers(Object.entries(request.headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(handler.verifyRequest({ headers, rawBody: request.rawBody }).type).toBe("roomCreated");
    expect(() => new WebhookHandler("not-a-secret")).toThrow(/whsec_/);
  });
});
