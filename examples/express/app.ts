/**
 * An Express 5 backend on roomgate: the auth endpoint `@liveblocks/client`
 * calls, admin routes that share rooms, and the Liveblocks REST API under
 * `/v2` for `@liveblocks/node` (or any HTTP client) holding the secret.
 */
import { STATUS_CODES } from "node:http";
import express, { type ErrorRequestHandler, type NextFunction, type Request, type Response } from "express";
import { type Liveblocks, LiveblocksError, type Permission } from "roomgate";
import { createRequestHandler, toNodeListener } from "roomgate/http";

/** Options of {@link createApp}. */
export type AppOptions = {
  /** The one `Liveblocks` instance of the process. */
  liveblocks: Liveblocks;
  /** Users the stand-in admin check lets through (default `["admin"]`). */
  admins?: readonly string[];
};

/** The permission types the share routes accept, as Liveblocks' permission guide names them. */
export const ACCESS_SCOPES = {
  /** Full access: edit the document, presence included. */
  write: ["room:write"],
  /** Read access: see the document and the others, and show one's own presence. */
  read: ["room:read", "room:presence:write"],
} as const;

/** The signed-in user, as the stand-in session check found them. */
type SessionUser = { id: string; groupIds: string[] };

/**
 * The app: `POST /api/liveblocks-auth`, `/admin/…` and `/v2/…`.
 *
 * @example
 * ```ts
 * const app = createApp({ liveblocks: new Liveblocks({ secret, store: new SqliteStore({ filename: "rooms.db" }) }) });
 * app.listen(3000);
 * ```
 */
export function createApp({ liveblocks, admins = ["admin"] }: AppOptions): express.Express {
  const app = express();
  app.disable("x-powered-by");

  // The REST API reads its own body (size-limited), so it is mounted before express.json().
  // toNodeListener rebuilds the URL from req.originalUrl: "/v2/rooms" reaches the handler whole,
  // so the handler keeps its default basePath ("") and routes "/v2/…" itself.
  app.use("/v2", toNodeListener(createRequestHandler(liveblocks)));

  app.use(express.json({ limit: "16kb" }));

  // Called by @liveblocks/client (`authEndpoint: "/api/liveblocks-auth"`) whenever it needs a token.
  app.post("/api/liveblocks-auth", async (req, res) => {
    const user = currentUser(req);
    if (user === null) return fail(res, 401, "Sign in first: no session.");
    const { status, body } = await liveblocks.identifyUser({ userId: user.id, groupIds: user.groupIds }, { userInfo: { name: user.id } });
    // 200 is `{"token":"…"}`; any other status carries the reason as text, as Liveblocks' own endpoint does.
    res
      .status(status)
      .type(status === 200 ? "application/json" : "text/plain")
      .send(body);
  });

  const admin = express.Router();
  admin.use(requireAdmin(new Set(admins)));

  // Create a room: private unless `access` says otherwise; `metadata` is passed on as is.
  admin.post("/rooms", async (req, res) => {
    const { roomId, access, metadata } = bodyOf(req);
    const created = await liveblocks.createRoom(roomId as string, {
      defaultAccesses: access === undefined ? [] : scopesOf(access, true),
      ...(metadata === undefined ? {} : { metadata: metadata as Record<string, string> }),
    });
    res.status(201).json(created);
  });

  admin.get("/rooms/:roomId", async (req, res) => {
    res.json(await liveblocks.getRoom(req.params.roomId!));
  });

  // Who may enter without an invitation: "none" (private), "read" or "write" (anyone signed in).
  admin.put("/rooms/:roomId/access", async (req, res) => {
    const room = await liveblocks.updateRoom(req.params.roomId!, { defaultAccesses: scopesOf(bodyOf(req).access, true) });
    res.json(room);
  });

  // Invite (or change) a user or a group with a permission type; DELETE removes them.
  for (const [kind, field] of [
    ["users", "usersAccesses"],
    ["groups", "groupsAccesses"],
  ] as const) {
    admin.put(`/rooms/:roomId/${kind}/:id`, async (req, res) => {
      const scopes = scopesOf(bodyOf(req).access, false);
      const room = await liveblocks.updateRoom(req.params.roomId!, { [field]: { [req.params.id!]: scopes } });
      res.json(room);
    });
    admin.delete(`/rooms/:roomId/${kind}/:id`, async (req, res) => {
      const room = await liveblocks.updateRoom(req.params.roomId!, { [field]: { [req.params.id!]: null } });
      res.json(room);
    });
  }

  // The rooms a user may see, with the groups they belong to (`?groupIds=a,b`).
  admin.get("/users/:userId/rooms", async (req, res) => {
    const groups = typeof req.query.groupIds === "string" && req.query.groupIds !== "" ? req.query.groupIds.split(",") : undefined;
    const startingAfter = typeof req.query.startingAfter === "string" ? req.query.startingAfter : undefined;
    const page = await liveblocks.getRooms({
      userId: req.params.userId,
      ...(groups && { groupIds: groups }),
      ...(startingAfter && { startingAfter }),
    });
    res.json({ nextCursor: page.nextCursor, data: page.data });
  });

  admin.delete("/rooms/:roomId", async (req, res) => {
    await liveblocks.getRoom(req.params.roomId!); // deleteRoom of a missing room succeeds; an admin wants the 404.
    await liveblocks.deleteRoom(req.params.roomId!);
    res.status(204).end();
  });

  app.use("/admin", admin);
  app.use((_req, res) => fail(res, 404, "No such route."));
  app.use(errorHandler);
  return app;
}

/**
 * Stand-in session check. A real app reads its own session here (a signed
 * cookie, `req.session`, a verified bearer token from its identity provider)
 * and the user's groups from its database; this one trusts the `x-user-id`
 * and `x-user-groups` (comma-separated) headers, so never deploy it as is.
 */
function currentUser(req: Request): SessionUser | null {
  const id = req.get("x-user-id");
  if (id === undefined || id === "") return null;
  const groups = req.get("x-user-groups");
  return { id, groupIds: groups ? groups.split(",").filter((g) => g !== "") : [] };
}

/** Stand-in admin check: a signed-in user listed in `admins`. A real app checks its own roles. */
function requireAdmin(admins: ReadonlySet<string>) {
  return (req: Request, res: Response, next: NextFunction) => {
    const user = currentUser(req);
    if (user === null) return fail(res, 401, "Sign in first: no session.");
    if (!admins.has(user.id)) return fail(res, 403, `User "${user.id}" is not an admin.`);
    next();
  };
}

/** A JSON body, or an empty one (the fields are checked where they are used). */
function bodyOf(req: Request): Record<string, unknown> {
  return typeof req.body === "object" && req.body !== null && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

/** The scopes of a permission type; 422 naming the field otherwise (thrown as the library's error, answered the same way). */
function scopesOf(value: unknown, allowNone: boolean): Permission[] {
  if (value === "read" || value === "write") return [...ACCESS_SCOPES[value]];
  if (allowNone && value === "none") return [];
  const expected = allowNone ? '"none", "read" or "write"' : '"read" or "write"';
  throw new LiveblocksError(`Invalid value for field 'access': expected ${expected}, got ${JSON.stringify(value) ?? "nothing"}.`, 422);
}

function fail(res: Response, status: number, message: string): void {
  res.status(status).json({ error: STATUS_CODES[status] ?? "Error", message });
}

/** The library's errors keep their status (404, 409, 422 naming the field); a bad JSON body is 400; anything else is 500 without details. */
const errorHandler: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof LiveblocksError) return fail(res, err.status, err.message);
  const status = (err as { status?: unknown }).status;
  // body-parser's errors (malformed JSON 400, too large 413) carry `status` and `expose`.
  if (typeof status === "number" && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) {
    return fail(res, status, (err as Error).message);
  }
  console.error(err);
  fail(res, 500, "Internal error.");
};
