/**
 * The container recipe, read as text: the Dockerfile is multi-stage (dev
 * dependencies only in the build stage), runs as a non-root user, has a
 * HEALTHCHECK on /healthz and the entrypoint script; compose.yaml sets only
 * variables the entrypoint (or roomgate itself) reads. The entrypoint is run
 * for real by `container.e2e.test.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./instances.js";
import { composeEnvironment, dockerfileStages, healthcheckCommand } from "./recipe.js";

const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const compose = readFileSync(join(ROOT, "compose.yaml"), "utf8");
const entrypoint = readFileSync(join(ROOT, "docker/entrypoint.sh"), "utf8");

describe("container recipe", () => {
  const stages = dockerfileStages(dockerfile);
  const runtime = stages.at(-1)!;

  it("Dockerfile - builds in one stage and runs from another that copies only the built package", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.lines.some((line) => /^RUN npm ci\b/.test(line) && !line.includes("--omit=dev"))).toBe(true);
    expect(runtime.lines.some((line) => /^COPY --from=build\b/.test(line))).toBe(true);
    const installs = runtime.lines.filter((line) => /\bnpm (ci|install)\b/.test(line));
    expect(installs.length).toBeGreaterThan(0);
    for (const line of installs) expect(line).toContain("--omit=dev");
    expect(runtime.lines.some((line) => /\bnpm run build\b/.test(line))).toBe(false);
  });

  it("Dockerfile - the runtime stage runs as a non-root user", () => {
    const users = runtime.lines.filter((line) => line.startsWith("USER "));
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
  });

  it("Dockerfile - HEALTHCHECK asks /healthz on the port the entrypoint serves", () => {
    const command = healthcheckCommand(dockerfile);
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain("/healthz");
    expect(command.join(" ")).toContain("ROOMGATE_PORT");
  });

  it("Dockerfile - the entrypoint is the script of docker/ and serve is the default command", () => {
    expect(runtime.lines).toContain('ENTRYPOINT ["roomgate-entrypoint"]');
    expect(
      runtime.lines.some((line) => line.startsWith("COPY") && line.includes("docker/entrypoint.sh /usr/local/bin/roomgate-entrypoint")),
    ).toBe(true);
    expect(runtime.lines).toContain('CMD ["serve"]');
  });

  it("compose.yaml - every variable given to roomgate is one the entrypoint maps or roomgate reads", () => {
    const env = composeEnvironment(compose, "roomgate");
    expect(Object.keys(env).length).toBeGreaterThan(0);
    // ROOMGATE_SECRET is read by roomgate itself (never put on a command line); the rest the entrypoint maps.
    const mapped = new Set([...entrypoint.matchAll(/\$\{(ROOMGATE_[A-Z_]+)/g)].map((match) => match[1]));
    for (const name of Object.keys(env)) {
      if (name === "ROOMGATE_SECRET") continue;
      expect(mapped, name).toContain(name);
    }
    expect(env["ROOMGATE_DATABASE_URL"]).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    // The secret stays in the environment: a flag would show it in every process listing.
    expect(entrypoint).not.toMatch(/add --secret\s/);
  });
});
