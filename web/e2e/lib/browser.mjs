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
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 1) problems.push(`${name} at ${phone.width} px: the page scrolls sideways by ${overflow} px`);
  await page.screenshot({ path: join(dir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(desktop);
  log(`view ${name}: ${violations.length ? `${violations.length} serious/critical axe violations` : "axe clean"}, screenshots written`);
}
