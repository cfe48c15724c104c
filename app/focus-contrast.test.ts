// The focus ring stands out from whatever it is drawn on by 3:1 or more (WCAG 2.2, 1.4.11 non-text contrast and
// 2.4.13 focus appearance), computed from the colours globals.css declares, so that a later change cannot lower it.
import { readFileSync } from "node:fs";
import { colord, extend } from "colord";
import a11yPlugin from "colord/plugins/a11y";
import postcss from "postcss";
import { describe, expect, it } from "vitest";

extend([a11yPlugin]);

const css = postcss.parse(readFileSync(new URL("./globals.css", import.meta.url), "utf8"));

/** The custom properties :root declares. */
const colours = new Map<string, string>();
css.walkRules(":root", (rule) => rule.walkDecls(/^--/, (d) => void colours.set(d.prop, d.value)));
const colour = (name: string) => {
  const value = colours.get(name);
  if (!value || !colord(value).isValid()) throw new Error(`globals.css :root has no colour ${name} (got ${JSON.stringify(value)})`);
  return value;
};

/** The ring's colour where `selector` sets it (its outline, or its outline-color), as a custom property. */
function ringOf(selector: string): string {
  let ring: string | undefined;
  css.walkRules(selector, (rule) =>
    rule.walkDecls(/^outline(-color)?$/, (d) => void (ring = /var\((--[\w-]+)\)/.exec(d.value)?.[1] ?? ring)),
  );
  if (!ring) throw new Error(`globals.css sets no outline colour for ${selector}`);
  return colour(ring);
}

describe("the focus ring has 3:1 contrast against the backgrounds it appears on", () => {
  it.each([
    ["every focusable element, on the page", ":focus-visible", "--bg"],
    ["every focusable element, on a card (and the skip link, whose ring is inside it)", ":focus-visible", "--card"],
    ["the header's links and buttons, on the header", ".site-header :focus-visible", "--header-bg"],
  ])("%s", (_what, selector, background) => {
    expect(colord(ringOf(selector)).contrast(colour(background))).toBeGreaterThanOrEqual(3);
  });

  it("the header is painted with --header-bg, the colour the ring there is checked against", () => {
    const backgrounds: string[] = [];
    css.walkRules(".site-header", (rule) => rule.walkDecls("background", (d) => void backgrounds.push(d.value)));
    expect(backgrounds).toEqual(["var(--header-bg)"]);
  });
});
