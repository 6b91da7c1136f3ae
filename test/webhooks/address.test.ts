/** Where webhooks may go (SSRF): every private, link-local and metadata address refused in every spelling the URL parser accepts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressAllowed, addressKind, urlRefusal } from "../../src/webhooks/address.js";

const octet = fc.integer({ min: 0, max: 255 });
/** IPv4 addresses in ranges that must never be reached from a webhook. */
const privateV4 = fc.oneof(
  fc.tuple(fc.constant(10), octet, octet, octet),
  fc.tuple(fc.constant(172), fc.integer({ min: 16, max: 31 }), octet, octet),
  fc.tuple(fc.constant(192), fc.constant(168), octet, octet),
  fc.tuple(fc.constant(169), fc.constant(254), octet, octet),
  fc.tuple(fc.constant(100), fc.integer({ min: 64, max: 127 }), octet, octet),
  fc.tuple(fc.constant(0), octet, octet, octet),
  fc.tuple(fc.integer({ min: 224, max: 255 }), octet, octet, octet),
);

/** The spellings of one IPv4 address a URL host may use. */
function spellings([a, b, c, d]: number[]): string[] {
  const n = ((a! << 24) >>> 0) + (b! << 16) + (c! << 8) + d!;
  const hex = (x: number) => x.toString(16).padStart(2, "0");
  return [
    `${a}.${b}.${c}.${d}`,
    String(n), // decimal
    `0x${n.toString(16)}`, // hex
    `0${a!.toString(8)}.0${b!.toString(8)}.0${c!.toString(8)}.0${d!.toString(8)}`, // octal
    `${a}.${(b! << 16) + (c! << 8) + d!}`, // a.bcd
    `[::ffff:${a}.${b}.${c}.${d}]`, // IPv4-mapped IPv6
    `[::ffff:${hex(a!)}${hex(b!)}:${hex(c!)}${hex(d!)}]`,
    `[64:ff9b::${a}.${b}.${c}.${d}]`, // NAT64
  ];
}

describe("webhook URL rules", () => {
  it("urlRefusal - never accepts a private, link-local, metadata or multicast IPv4 in any spelling", () => {
    fc.assert(
      fc.property(privateV4, fc.constantFrom("http", "https"), (parts, scheme) => {
        for (const host of spellings(parts)) {
          expect(urlRefusal(`${scheme}://${host}/hook`, false), host).not.toBeNull();
          expect(urlRefusal(`${scheme}://${host}/hook`, true), host).toBeNull();
        }
      }),
    );
  });

  it("addressAllowed - a resolved private address is refused; loopback only when the URL named loopback", () => {
    fc.assert(
      fc.property(privateV4, (parts) => {
        expect(addressAllowed(parts.join("."), false, false)).toBe(false);
        expect(addressAllowed(`::ffff:${parts.join(".")}`, false, false)).toBe(false);
      }),
    );
    expect(addressAllowed("127.0.0.1", false, false)).toBe(false); // a public name resolving to loopback: rebinding
    expect(addressAllowed("127.0.0.1", false, true)).toBe(true);
    expect(addressAllowed("93.184.216.34", false, false)).toBe(true);
    for (const v6 of ["fd00:ec2::254", "fe80::1", "fc00::1", "ff02::1", "::", "2002:a00:1::"])
      expect(addressAllowed(v6, false, false), v6).toBe(false);
    expect(addressAllowed("2606:4700:4700::1111", false, false)).toBe(true);
  });

  it("addressKind - names public, loopback and private; a name is no address", () => {
    expect(addressKind("8.8.8.8")).toBe("public");
    expect(addressKind("127.1.2.3")).toBe("loopback");
    expect(addressKind("::1")).toBe("loopback");
    expect(addressKind("::ffff:7f00:1")).toBe("loopback");
    expect(addressKind("example.com")).toBeNull();
    expect(urlRefusal("http://example.com/", false)).toMatch(/https/);
    expect(urlRefusal("https://example.com/", false)).toBeNull();
  });
});
