#!/usr/bin/env node
// Berth's browser end-to-end test: starts dockerd (if needed), Caddy, berthd with its local
// agent and one more real agent on loopback, serves the dashboard (berthd itself with
// --web-dir when it can, else the Vite dev server), and drives Debian's Chromium through the
// flow in flow.mjs. Screenshots and results go to build/e2e/.
//
//   node web/e2e/run.mjs            exit 0 passed, 1 failed, 77 skipped (not root, no chromium, ...)
// Environment: BERTHD (binary; default build/ci then build/release), CHROMIUM, E2E_OUT
// (default <repo>/build/e2e), E2E_TIMEOUT_S (default 300), E2E_KEEP=1 keeps the temp dir,
// E2E_BASE_URL / E2E_WEB_DIR / E2E_DEV_SERVER=1 choose where the dashboard comes from,
// E2E_STRICT=1 ignores pending.json, E2E_DEBUG=1 logs navigations.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch } from "./lib/browser.mjs";
import {
  buildImages, dockerEngine, images, killProcessesUsing, makeWorkDir, removeAppContainers, removeWorkDir, repoRoot,
  removeLocalAgentState, startAgent, startBerthd, startCaddy, startVite,
} from "./lib/stack.mjs";
import { freePort, log, Skip, stopAll, until } from "./lib/util.mjs";
import { Flow } from "./flow.mjs";

const out = process.env.E2E_OUT ?? join(repoRoot, "build/e2e");
const timeoutS = Number(process.env.E2E_TIMEOUT_S ?? 300);
const started = Date.now();
let work = null;
let browser = null;
const stack = { images, appIds: [] };

async function cleanup() {
  await browser?.close().catch(() => {});
  await stopAll();
  if (stack.berthd) removeLocalAgentState(stack.berthd);
  if (stack.socket && stack.appIds.length) await removeAppContainers(stack.socket, stack.appIds);
  killProcessesUsing(work);
  if (process.env.E2E_KEEP !== "1") removeWorkDir(work);
  else if (work) log(`kept ${work}`);
}

async function main() {
  if (process.getuid() !== 0) throw new Skip("the e2e needs root (dockerd, the local agent's own user)");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  browser = await launch(); // skips first when chromium is missing
  work = makeWorkDir();
  log(`work dir ${work}`);

  stack.socket = await dockerEngine();
  await buildImages(stack.socket, work);
  log(`docker ${stack.socket}; images ready`);
  const caddy = await startCaddy(join(work, "caddy"));
  const berthd = await startBerthd(join(work, "berthd"));
  stack.berthd = berthd;
  stack.setupToken = berthd.setupToken;
  // Where the dashboard comes from: E2E_BASE_URL; else berthd's own / (what ships); else, while
  // berthd serves none (or with E2E_DEV_SERVER=1), Vite's dev server proxying /api to berthd.
  let baseUrl = process.env.E2E_BASE_URL ?? berthd.url;
  let servedBy = process.env.E2E_BASE_URL ? "E2E_BASE_URL" : "berthd";
  if (!process.env.E2E_BASE_URL && (!berthd.servesDashboard || process.env.E2E_DEV_SERVER === "1")) {
    baseUrl = (await startVite(work, berthd.url)).url;
    servedBy = "vite dev server";
    // Vite transforms modules on first request: one load first, with room for a busy machine,
    // so the flow's own timeouts measure the dashboard and not the dev server's warm-up.
    const warm = await browser.newContext({ baseURL: baseUrl });
    await (await warm.newPage()).goto("/setup", { waitUntil: "networkidle", timeout: 120_000 });
    await warm.close();
    log("vite warmed up");
  }
  log(`berthd ${berthd.url} (${berthd.binary}); dashboard at ${baseUrl} (${servedBy})`);

  stack.addDockerServer = async (api) => {
    // The local agent enrols once setup is done; it is the first server.
    const local = await until("the local server", async () => (await api("GET", "/api/v1/servers")).data?.[0], 30_000, 250);
    stack.localServerName = local.name;
    const token = await api("POST", "/api/v1/servers/install-tokens", { ttl_seconds: 600 });
    const agent = await startAgent(join(work, "agent"), { berthd, installToken: token.token, socket: stack.socket, caddyAdmin: caddy.admin });
    await api("PATCH", `/api/v1/servers/${agent.serverId}`, { name: "e2e-docker" });
    await until("e2e-docker online with Docker", async () => {
      const server = await api("GET", `/api/v1/servers/${agent.serverId}`);
      return server.status === "online" && server.docker?.status === "online";
    }, 30_000, 200);
    stack.httpPort = await freePort();
    let https = await freePort();
    while (https === stack.httpPort) https = await freePort();
    await api("PUT", `/api/v1/servers/${agent.serverId}/proxy`, { base_domain: "test", http_port: stack.httpPort, https_port: https, tls: "off" });
    log(`servers: local "${local.name}", e2e-docker ${agent.serverId} (Caddy HTTP :${stack.httpPort})`);
  };

  const flow = new Flow({ browser, baseUrl, shotsDir: out, stack });
  let failure = null;
  try {
    await flow.run();
  } catch (error) {
    failure = error;
  }
  const counts = {};
  for (const r of flow.results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  writeFileSync(join(out, "results.json"), JSON.stringify({ seconds: Number(seconds), baseUrl, servedBy, counts, steps: flow.results, problems: [...new Set(flow.problems)] }, null, 2));
  console.log(`\ne2e: ${seconds} s — ${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ")}; screenshots in ${out}`);
  for (const r of flow.results) console.log(`  ${r.outcome.padEnd(15)} ${r.chain.padEnd(8)} ${r.step}${r.note ? ` — ${r.note.split("\n")[0]}` : ""}`);
  // The same problem on every page (a CSP refusal, say) is listed once, with its count.
  const problems = new Map();
  for (const p of flow.problems) problems.set(p, (problems.get(p) ?? 0) + 1);
  for (const [p, n] of problems) console.log(`  PROBLEM ${p}${n > 1 ? ` (${n} times)` : ""}`);
  if (failure) throw failure;
  const unexpected = flow.results.filter((r) => r.outcome === "unexpected-pass");
  if (unexpected.length) throw new Error(`steps listed in web/e2e/pending.json now pass; take them off: ${unexpected.map((r) => r.step).join(", ")}`);
  if (problems.size) throw new Error(`${problems.size} problems (axe serious/critical violations, pages scrolling sideways at 375 px, requests to other origins), listed above`);
}

const watchdog = setTimeout(async () => {
  console.error(`e2e: gave up after ${timeoutS} s`);
  await cleanup();
  process.exit(1);
}, timeoutS * 1000);

let code = 0;
try {
  await main();
  log("e2e passed");
} catch (error) {
  if (error instanceof Skip) {
    console.log(`e2e skipped: ${error.message}`);
    code = 77;
  } else {
    console.error(`e2e failed: ${error.stack ?? error}`);
    code = 1;
  }
}
clearTimeout(watchdog);
await cleanup();
process.exit(code);
