// Debian's Chromium through playwright-core (TESTING.md), axe-core on a page, and screenshots
// at desktop and phone width.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { log, Skip } from "./util.mjs";

export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
export const desktop = { width: 1280, height: 800 };
export const phone = { width: 375, height: 812 };

export async function launch() {
  if (!existsSync(chromiumPath)) throw new Skip(`${chromiumPath} is missing (apt-get install chromium)`);
  return chromium.launch({ executablePath: chromiumPath, args: chromiumFlags, headless: true, timeout: 30_000 });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Runs axe-core on the page as it is; the serious and critical violations, described. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol rather than a <script> tag: berthd's
  // Content-Security-Policy (script-src 'self') rightly refuses inline scripts, and stays on.
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
}

/**
 * A main view: axe at desktop width (serious/critical violations are collected in `problems`),
 * and screenshots at desktop and phone width under `dir` as <name>-desktop.png / -phone.png.
 */
export async function checkView(page, name, dir, problems) {
  mkdirSync(dir, { recursive: true });
  await page.setViewportSize(desktop);
  const violations = await axeViolations(page);
  for (const v of violations) problems.push(`axe on ${name}: ${v}`);
  await page.screenshot({ path: join(dir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(phone);
  // Usable at 375 px: wide tables scroll inside their own box, the page itself never sideways.
  const { overflow, culprits } = await page.evaluate(async () => {
    // Measure the layout the user sees: after the resize observers (charts, the terminal) ran.
    for (let i = 0; i < 2; i++) await new Promise((done) => requestAnimationFrame(done));
    const width = document.documentElement.clientWidth;
    // The outermost elements that stick out: what to fix, without their children repeating it.
    // Inside a box that scrolls or clips sideways (a wide table's wrapper) is fine — unless
    // absolutely positioned with no positioned ancestor in it: such an element escapes the clip.
    const contained = (e) => {
      const absolute = getComputedStyle(e).position === "absolute";
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX === "visible") continue;
        return !absolute || (e.offsetParent !== null && p.contains(e.offsetParent));
      }
      return false;
    };
    const wide = [...document.body.querySelectorAll("*")].filter((e) => e.getBoundingClientRect().right > width + 1 && !contained(e));
    const outermost = wide.filter((e) => !wide.includes(e.parentElement));
    const describe = (e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${e.classList.length ? `.${[...e.classList].join(".")}` : ""} (${Math.round(e.getBoundingClientRect().right)} px)`;
    const shown = outermost.length ? outermost : [...document.body.querySelectorAll("*")].sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right);
    return { overflow: document.documentElement.scrollWidth - width, culprits: shown.slice(0, 3).map(describe) };
  });
  if (overflow > 1) problems.push(`${name} at ${phone.width} px: the page scrolls sideways by ${overflow} px (${culprits.join(", ")})`);
  await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(desktop);
  log(`view ${name}: ${violations.length ? `${violations.length} serious/critical axe violations` : "axe clean"}, screenshots written`);
}
