import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// roomgate is linked from the repository root (`file:../..`), outside this project.
const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

const nextConfig: NextConfig = {
  // Loaded by Node at run time, not bundled: native (better-sqlite3), optional (pg),
  // and roomgate's entry points must share one module tree.
  serverExternalPackages: ["roomgate", "better-sqlite3", "pg"],
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
};

export default nextConfig;
