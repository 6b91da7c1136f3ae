/** Readers of the container recipe's files, for the tests (no YAML or Dockerfile parser is a dependency). */

export type Stage = { from: string; name: string | undefined; lines: string[] };

/** The Dockerfile's logical lines (continuations joined, comments dropped), grouped by stage. */
export function dockerfileStages(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim().replace(/\s+/g, " "))
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM (\S+)(?: AS (\S+))?$/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2], lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** The exec-form command of the Dockerfile's HEALTHCHECK. */
export function healthcheckCommand(text: string): string[] {
  const line = dockerfileStages(text)
    .at(-1)!
    .lines.find((l) => l.startsWith("HEALTHCHECK "));
  const json = line === undefined ? undefined : /\bCMD (\[.*\])$/.exec(line)?.[1];
  if (json === undefined) throw new Error("no exec-form HEALTHCHECK in the runtime stage");
  return JSON.parse(json) as string[];
}

/** The `environment:` map of one service of a compose file (the block form `KEY: value`). */
export function composeEnvironment(text: string, service: string): Record<string, string> {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line === `  ${service}:`);
  if (start === -1) throw new Error(`no service ${service}`);
  const env: Record<string, string> = {};
  let inside = false;
  for (const line of lines.slice(start + 1)) {
    if (/^ {2}\S/.test(line) || /^\S/.test(line)) break;
    if (/^ {4}environment:\s*$/.test(line)) {
      inside = true;
      continue;
    }
    if (inside) {
      const entry = /^ {6}([A-Z0-9_]+):\s*(.*)$/.exec(line);
      if (entry) env[entry[1]!] = entry[2]!.replace(/^"(.*)"$/, "$1");
      else if (/^ {4}\S/.test(line)) inside = false;
    }
  }
  return env;
}
