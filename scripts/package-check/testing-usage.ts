// Compiled by the ESM consumer projects: roomgate/testing is ESM-only.
import { MemoryStore } from "roomgate";
import { makeRoom, type TestRoomStoreOptions } from "roomgate/testing";

export const options: TestRoomStoreOptions = { name: "MemoryStore", create: () => new MemoryStore() };
export const room = makeRoom("room-1");
