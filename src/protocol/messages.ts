/**
 * Every message of an error the facade raises or the REST server answers,
 * in one place: users grep for them, and upstream's are kept verbatim.
 */

/** @internal Messages of the facade. */
export const messages = {
  roomNotFound: (roomId: string) => `Room with id "${roomId}" not found.`,
  roomExists: (roomId: string) => `Room with id "${roomId}" already exists.`,
  groupNotFound: (groupId: string) => `Group with id "${groupId}" not found.`,
  groupExists: (groupId: string) => `Group with id "${groupId}" already exists.`,
  invalidField: (field: string, rule: string) => `Invalid value for field '${field}': ${rule}`,
  roomKeptChanging: (roomId: string) => `Room with id "${roomId}" kept changing; upsert gave up.`,
  notImplemented: (what: string) => `${what} is not supported by this store.`,
  nonEmptyString: (field: string) =>
    `Invalid value for field '${field}'. Please provide a non-empty string. For more information: https://liveblocks.io/docs/api-reference/liveblocks-node#authorize`,
  secretPrefix: (field: string) =>
    `Invalid value for field '${field}'. Secret keys must start with 'sk_'. Please provide the secret key from your Liveblocks dashboard at https://liveblocks.io/dashboard/apikeys.`,
  secretChars: (field: string) =>
    `Invalid chars found in field '${field}'. Please check that you correctly copied the secret key from your Liveblocks dashboard at https://liveblocks.io/dashboard/apikeys.`,
  weakSecret: (field: string, reason: string) =>
    `Invalid value for field '${field}': the secret key is too weak to sign tokens with: ${reason}. Generate one with \`npx roomgate secret\` (or generateSecret() from "roomgate").`,
} as const;

/** @internal Messages of the REST server. */
export const httpMessages = {
  missingSecret: "Missing secret key",
  invalidSecret: "Invalid secret key",
  secretSuggestion: "Send the secret key of this roomgate server as `Authorization: Bearer sk_…`.",
  notFound: (method: string, path: string) => `No route for ${method} ${path}.`,
  methodNotAllowed: (method: string, allow: readonly string[]) => `Method ${method} is not allowed here; use ${allow.join(" or ")}.`,
  malformedJson: (reason: string) => `Malformed JSON body: ${reason}`,
  bodyNotObject: "Invalid value for field 'body': must be a JSON object",
  bodyTooLarge: (limit: number) => `Request body is larger than ${limit} bytes.`,
  unreadableBody: "The request body could not be read.",
  unsupportedMediaType: (type: string) =>
    `Unsupported Content-Type ${JSON.stringify(type.slice(0, 100))}: send the body as JSON, with Content-Type: application/json.`,
  badPath: "The path is not valid percent-encoding.",
  badUrl: "The request URL is not valid.",
  aborted: "The request was aborted.",
  internal: "An unexpected error occurred on the server.",
  basePathDropped: (basePath: string) =>
    `This handler serves the REST API under basePath "${basePath}", but @liveblocks/node calls new URL("/v2/…", baseUrl), which drops any path of baseUrl: mount the handler at the origin's /v2 without basePath (Next.js: app/v2/[...path]/route.ts).`,
  notImplemented: (what: string) => `roomgate does not implement ${what}; see README`,
  storeUnavailable: "The room store is unreachable; try again shortly.",
} as const;

/** @internal What `@liveblocks/node` shows for an error answered without a message. */
export const NO_MESSAGE = "An error happened without an error message";
