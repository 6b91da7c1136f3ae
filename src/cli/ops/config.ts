/**
 * Where `roomgate serve` reads its settings: the command line first, then
 * `ROOMGATE_<FLAG>` environment variables, then a `--config` JSON file with
 * the flags' names as keys. Every flag is covered, whoever adds it, and the
 * check that refuses an insecure start lives here too.
 */
import { readFileSync } from "node:fs";

/** A flag as `node:util` `parseArgs` declares it. */
export type FlagSpec = { type: "string" | "boolean"; multiple?: boolean; short?: string };

/** Parsed values, keyed by flag name. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** Flags that name one setting together: a source that sets one of them hides the others of lower sources. */
const GROUPS: ReadonlyArray<readonly string[]> = [
  ["secret", "secret-file"],
  ["db", "database-url", "memory"],
];

/** Flags that are never read from the environment or a file. */
const NOT_SETTINGS: ReadonlySet<string> = new Set(["help", "config"]);

/**
 * The environment variable of a flag: `database-url` → `ROOMGATE_DATABASE_URL`.
 *
 * @example
 * ```ts
 * envName("metrics-token"); // "ROOMGATE_METRICS_TOKEN"
 * ```
 */
export function envName(flag: string): string {
  return `ROOMGATE_${flag.toUpperCase().replace(/-/g, "_")}`;
}

/**
 * `argv` values completed from `env` and then from the JSON file at
 * `configFile` (if any). Empty environment variables count as unset. Throws
 * an error naming the variable or key and the rule it breaks.
 *
 * @example
 * ```ts
 * const values = withEnvAndConfig(parsed.values, FLAGS, process.env, parsed.values.config ?? process.env.ROOMGATE_CONFIG);
 * ```
 */
export function withEnvAndConfig(
  argv: FlagValues,
  flags: Readonly<Record<string, FlagSpec>>,
  env: NodeJS.ProcessEnv,
  configFile: string | undefined,
): FlagValues {
  const values: FlagValues = { ...argv };
  const fromEnv: FlagValues = {};
  for (const [name, spec] of Object.entries(flags)) {
    if (NOT_SETTINGS.has(name)) continue;
    const raw = env[envName(name)];
    if (raw === undefined || raw === "") continue;
    fromEnv[name] = fromText(raw, spec, envName(name));
  }
  fill(values, fromEnv);
  if (configFile !== undefined) fill(values, readConfig(configFile, flags));
  return values;
}

/** Copies `lower` into `values` where neither the flag nor a flag of its group is set. */
function fill(values: FlagValues, lower: FlagValues): void {
  const taken = (name: string) =>
    (GROUPS.find((group) => group.includes(name)) ?? [name]).some((n) => values[n] !== undefined && values[n] !== false);
  const setHere = Object.keys(lower).filter((name) => !taken(name));
  for (const name of setHere) values[name] = lower[name];
}

function fromText(raw: string, spec: FlagSpec, where: string): string | boolean | string[] {
  if (spec.type === "boolean") {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new Error(`${where} must be true or false (1/0, yes/no), not ${JSON.stringify(raw.slice(0, 20))}`);
  }
  return spec.multiple
    ? raw
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean)
    : raw;
}

function readConfig(file: string, flags: Readonly<Record<string, FlagSpec>>): FlagValues {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`cannot read --config ${file}: ${code ?? "not valid JSON"}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`--config ${file} must hold a JSON object keyed by flag names (e.g. {"port": 8787})`);
  }
  const values: FlagValues = {};
  for (const [key, value] of Object.entries(parsed)) {
    const spec = Object.hasOwn(flags, key) && !NOT_SETTINGS.has(key) ? flags[key]! : undefined;
    if (spec === undefined) throw new Error(`--config ${file}: unknown key ${JSON.stringify(key)} (keys are the flags' names)`);
    const where = `--config key "${key}"`;
    if (spec.type === "boolean") {
      if (typeof value !== "boolean") throw new Error(`${where} must be true or false`);
      values[key] = value;
    } else if (spec.multiple) {
      const list = Array.isArray(value) ? value : [value];
      if (!list.every((item) => typeof item === "string")) throw new Error(`${where} must be a string or an array of strings`);
      values[key] = list as string[];
    } else if (typeof value === "string" || (typeof value === "number" && Number.isFinite(value))) {
      values[key] = String(value);
    } else {
      throw new Error(`${where} must be a string`);
    }
  }
  return values;
}

/**
 * Whether `host` only accepts connections from this machine.
 *
 * @example
 * ```ts
 * isLoopbackHost("127.0.0.1"); // true
 * isLoopbackHost("0.0.0.0"); // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127(\.\d{1,3}){3}$/i.test(bare);
}

/**
 * Why starting with these settings is unsafe, or an empty list: a server
 * reachable from other machines must keep its rooms (not `--memory`) and
 * have a secret that was given, not generated and printed.
 */
export function insecureReasons(settings: { host: string; memory: boolean; secretGiven: boolean }): string[] {
  if (isLoopbackHost(settings.host)) return [];
  const reasons: string[] = [];
  if (settings.memory) reasons.push("--memory keeps rooms in memory only (lost on every restart)");
  if (!settings.secretGiven)
    reasons.push("no secret was given (--secret-file or ROOMGATE_SECRET), so a generated one would be printed to the log");
  return reasons;
}
