// Run by the package check with vitest: the packed conformance suite against
// the packed MemoryStore, both from the same installed roomgate.
import { MemoryStore } from "roomgate";
import { testRoomStore } from "roomgate/testing";

testRoomStore({ name: "packed MemoryStore", create: () => new MemoryStore() });
