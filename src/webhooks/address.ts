/**
 * Where a webhook may be sent (SSRF): which addresses are loopback, which
 * are private, link-local, cloud metadata or otherwise not the public
 * internet. Pure: URLs and address strings in, a verdict out. The WHATWG URL
 * parser has already turned decimal, octal and hex IPv4 forms
 * (`http://2130706433/`, `http://0177.1/`) into dotted quads and IPv6 into
 * its compressed form by the time a host gets here.
 */

/** What kind of address a host is. */
export type AddressKind = "public" | "loopback" | "private";

function ipv4Kind(parts: number[]): AddressKind {
  const [a = 0, b = 0, c = 0] = parts;
  if (a === 127) return "loopback";
  if (a === 0 || a === 10 || a >= 224) return "private"; // this network, RFC 1918, multicast, reserved, broadcast
  if (a === 100 && b >= 64 && b <= 127) return "private"; // carrier-grade NAT
  if (a === 169 && b === 254) return "private"; // link-local, cloud metadata (169.254.169.254)
  if (a === 172 && b >= 16 && b <= 31) return "private";
  if (a === 192 && b === 168) return "private";
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return "private"; // IETF protocol assignments, TEST-NET-1
  if (a === 198 && (b === 18 || b === 19)) return "private"; // benchmarking
  if ((a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) return "private"; // TEST-NET-2/3
  return "public";
}

function parseIpv4(text: string): number[] | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  return parts.every((part) => part <= 255) ? parts : null;
}

/** The 8 groups of an IPv6 address (a trailing dotted quad folded in), or `null`. */
function parseIpv6(text: string): number[] | null {
  let body = text.toLowerCase();
  const zone = body.indexOf("%");
  if (zone !== -1) body = body.slice(0, zone);
  const quad = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(body);
  if (quad?.[1]) {
    const v4 = parseIpv4(quad[1]);
    if (v4 === null) return null;
    body = `${body.slice(0, -quad[1].length)}${((v4[0] as number) * 256 + (v4[1] as number)).toString(16)}:${((v4[2] as number) * 256 + (v4[3] as number)).toString(16)}`;
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.map((group) => parseInt(group, 16));
}

function ipv6Kind(g: number[]): AddressKind {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = (): AddressKind => ipv4Kind([g6 >> 8, g6 & 255, g7 >> 8, g7 & 255]);
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    if (g5 === 0xffff) return embedded(); // IPv4-mapped
    if (g5 === 0) {
      if (g6 === 0 && g7 === 1) return "loopback";
      if (g6 === 0 && g7 === 0) return "private"; // unspecified
      return embedded(); // IPv4-compatible (deprecated)
    }
  }
  if (g0 === 0x64 && g1 === 0xff9b) return embedded(); // NAT64
  if (g0 === 0x2002) return ipv4Kind([g1 >> 8, g1 & 255, g2 >> 8, g2 & 255]); // 6to4
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // unique local (incl. fd00:ec2::254 metadata)
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return "private"; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return "private"; // multicast
  if (g0 === 0x2001 && g1 === 0xdb8) return "private"; // documentation
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return "private"; // discard
  return "public";
}

/** The kind of an IP address string (`"10.0.0.1"`, `"::ffff:a00:1"`), or `null` if it is no IP address. */
export function addressKind(address: string): AddressKind | null {
  const v4 = parseIpv4(address);
  if (v4 !== null) return ipv4Kind(v4);
  if (!address.includes(":")) return null;
  const v6 = parseIpv6(address);
  return v6 === null ? null : ipv6Kind(v6);
}

/** Host names that always mean this machine or a cloud metadata service. */
function hostNameKind(host: string): AddressKind | null {
  const name = host.toLowerCase().replace(/\.$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return "loopback";
  if (name === "metadata" || name === "metadata.google.internal" || name.endsWith(".internal")) return "private";
  return null;
}

/** The kind of a URL's `hostname` (brackets of IPv6 removed); `null`: a name to resolve. */
export function hostKind(hostname: string): AddressKind | null {
  const bare = hostname.startsWith("[") && hostname.endsWith("]") ? hostname.slice(1, -1) : hostname;
  return addressKind(bare) ?? hostNameKind(bare);
}

/** Why a URL may not receive webhooks, or `null` if it may (a name is checked again when resolved). */
export function urlRefusal(raw: string, allowPrivateNetworks: boolean): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute http(s) URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http(s) URL";
  if (url.username !== "" || url.password !== "") return "must not carry credentials";
  if (url.hash !== "") return "must not have a fragment";
  if (allowPrivateNetworks) return null;
  const kind = hostKind(url.hostname);
  if (kind === "private") return "must not point to a private, link-local or metadata address (allowPrivateNetworks allows it)";
  if (url.protocol === "http:" && kind !== "loopback")
    return "must use https unless it points to loopback (allowPrivateNetworks allows it)";
  return null;
}

/**
 * May a delivery connect to `address` (what the host name resolved to)?
 * Loopback only when the URL itself named loopback (`localhost`): a public
 * name resolving to 127.0.0.1 is DNS rebinding.
 */
export function addressAllowed(address: string, allowPrivateNetworks: boolean, hostIsLoopback: boolean): boolean {
  if (allowPrivateNetworks) return true;
  const kind = addressKind(address);
  return kind === "public" || (kind === "loopback" && hostIsLoopback);
}
