// Compiled by every consumer project of the package check (CJS node16, ESM
// node16, bundler) against the packed tarball with `skipLibCheck: false`:
// the public types a backend names, used the way a backend uses them.
import {
  DEFAULT_LIMITS,
  InvalidCursorError,
  KeyPairSigner,
  Liveblocks,
  LiveblocksError,
  MemoryStore,
  type KeyPairSignerOptions,
  type Limits,
  type RoomData,
  type RoomStore,
} from "roomgate";

const limits: Limits = { ...DEFAULT_LIMITS, roomIdLength: 64 };
const store: RoomStore = new MemoryStore();
export const liveblocks = new Liveblocks({ secret: "sk_package_check_secret_of_32_chars", store, limits });

export async function titles(): Promise<string[]> {
  const page = await liveblocks.getRooms({ userId: "alice" });
  return page.data.map((room: RoomData) => `${room.id} ${room.createdAt.toISOString()}`);
}

export function describeError(error: unknown): string {
  if (error instanceof LiveblocksError) return `${error.status} ${error.message}`;
  if (error instanceof InvalidCursorError) return error.code;
  return String(error);
}

export function signer(options: KeyPairSignerOptions): string {
  const keys = new KeyPairSigner(options);
  return JSON.stringify(keys.jwks());
}
