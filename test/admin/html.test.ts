import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeHtml, html } from "../../src/admin/html.js";

const unescape = (text: string) =>
  text.replace(
    /&(amp|lt|gt|quot|#39|#96);/g,
    (_, name: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", "#96": "`" })[name]!,
  );

describe("html", () => {
  it("html - never lets an interpolated string open a tag, an attribute or an entity", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (value) => {
        const out = html`<td title="${value}">${value}</td>`.text;
        const inner = out.slice('<td title="'.length, out.length - "</td>".length);
        const [attribute, content] = inner.split('">');
        expect(attribute).not.toMatch(/[<>"'`]|&(?!(amp|lt|gt|quot|#39|#96);)/);
        expect(unescape(attribute!)).toBe(value);
        expect(unescape(content!)).toBe(value);
      }),
    );
  });

  it("html - nests markup made by html unescaped, and lists and empty values", () => {
    const cell = html`<b>${"<i>"}</b>`;
    expect(html`<p>${cell}${[html`<br />`, "&"]}${null}${undefined}${false}</p>`.text).toBe("<p><b>&lt;i&gt;</b><br />&amp;</p>");
    expect(escapeHtml(`<script>"'\``)).toBe("&lt;script&gt;&quot;&#39;&#96;");
  });
});
