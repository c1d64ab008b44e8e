// The real parts the e2e drives, started on loopback with free ports and a temporary
// directory, the same way the C++ system fixtures start them (tests/system/docker_fixture.cpp,
// caddy_fixture.cpp, deploy_support.cpp): dockerd (the machine's, or the tests' shared one under
// /tmp/berth-test-docker), the offline busybox images, a Caddy whose admin API is on a free
// port, berthd with its local agent, and one more real agent that deploys with that dockerd
// and Caddy. Everything is stopped by stopAll().
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, chmodSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, log, run, startProcess, tail, until, Skip } from "./util.mjs";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const webRoot = join(repoRoot, "web");

// Tags of tests/system/deploy_fixture.hpp: httpd on 8080 serving "v1\n"/"v2\n"; :broken serves nothing.
export const images = { v1: "berth-test/app:v1.1", v2: "berth-test/app:v2.1", broken: "berth-test/app:broken.1" };
const baseImage = "berth-test/busybox:1";
const ownDockerDir = "/tmp/berth-test-docker";

export function makeWorkDir() {
  return mkdtempSync(join(tmpdir(), "berth-e2e-"));
}

export function removeWorkDir(dir) {
  if (dir && dir.startsWith(join(tmpdir(), "berth-e2e-"))) rmSync(dir, { recursive: true, force: true });
}

/**
 * Kills what still runs from the work dir: the agents' edge Caddies outlive their agent by
 * design (docs/domains.md), so stopping the agents leaves them, and every run would leave
 * its own behind.
 */
export function killProcessesUsing(dir) {
  if (!dir || !dir.startsWith(join(tmpdir(), "berth-e2e-"))) return;
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    if (Number(pid) === process.pid) continue;
    let command = "";
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    if (command.includes(dir)) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** The berthd under test: $BERTHD, else the ci build's, else the release build's. */
export function berthdBinary() {
  const candidates = [process.env.BERTHD, join(repoRoot, "build/ci/bin/berthd"), join(repoRoot, "build/release/bin/berthd")];
  const found = candidates.find((path) => path && existsSync(path));
  if (!found) throw new Skip("no berthd binary (build it, or set BERTHD)");
  return found;
}

const dockerAnswers = async (socket) => (await run("docker", ["-H", `unix://${socket}`, "info", "--format", "{{.ID}}"], { timeoutMs: 10_000 })).code === 0;

/** The Docker Engine socket: the machine's, or the shared test dockerd (started like docker_fixture.cpp does). */
export async function dockerEngine() {
  if (await dockerAnswers("/var/run/docker.sock")) return "/var/run/docker.sock";
  const socket = `${ownDockerDir}/docker.sock`;
  if (await dockerAnswers(socket)) return socket;
  if (process.getuid() !== 0) throw new Skip("no Docker Engine answers and dockerd needs root");
  mkdirSync(ownDockerDir, { recursive: true });
  rmSync(`${ownDockerDir}/dockerd.pid`, { force: true });
  // setsid: it outlives this run, as the C++ fixture's does (a daemon start costs seconds).
  const { spawn } = await import("node:child_process");
  const { openSync } = await import("node:fs");
  const out = openSync(`${ownDockerDir}/dockerd.log`, "a");
  spawn("dockerd", ["--host", `unix://${socket}`, "--data-root", `${ownDockerDir}/data`, "--exec-root", `${ownDockerDir}/exec`, "--pidfile", `${ownDockerDir}/dockerd.pid`], {
    detached: true,
    stdio: ["ignore", out, out],
  }).unref();
  await until("dockerd to answer", () => dockerAnswers(socket), 30_000, 300);
  return socket;
}

/** berth-test/busybox:1 (scripts/build-test-images) and the app images, built offline once per machine. */
export async function buildImages(socket, scratch) {
  const env = { DOCKER_HOST: `unix://${socket}`, DOCKER_BUILDKIT: "0" };
  const inspect = await run("docker", ["image", "inspect", baseImage, ...Object.values(images)], { env });
  if (inspect.code === 0) return;
  const base = await run(join(repoRoot, "scripts/build-test-images"), [], { env });
  if (base.code !== 0) throw new Error(`scripts/build-test-images failed:\n${base.output}`);
  const context = join(scratch, "images");
  // The same recipe as deploy_support.cpp's build_app_images: httpd under a shell that ends on SIGTERM.
  for (const version of ["v1", "v2"]) {
    mkdirSync(join(context, `www-${version}`, "cgi-bin"), { recursive: true });
    writeFileSync(join(context, `www-${version}`, "index.html"), `${version}\n`);
    writeFileSync(join(context, `www-${version}`, "cgi-bin", "env"), "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nenv\n");
    chmodSync(join(context, `www-${version}`, "cgi-bin", "env"), 0o755);
    writeFileSync(
      join(context, `Dockerfile.${version}`),
      `FROM ${baseImage}\nCOPY www-${version} /www\nCMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]\n`,
    );
  }
  writeFileSync(join(context, "Dockerfile.broken"), `FROM ${baseImage}\nCMD ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]\n`);
  for (const [file, tag] of Object.entries(images)) {
    const built = await run("docker", ["build", "-q", "-f", join(context, `Dockerfile.${file}`), "-t", tag, context], { env });
    if (built.code !== 0) throw new Error(`docker build of ${tag} failed:\n${built.output}`);
  }
}

/** Caddy with only its admin API on a free loopback port; the agent configures the rest. */
export async function startCaddy(dir) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, "caddy.json"), JSON.stringify({ admin: { listen: `127.0.0.1:${port}` } }));
  const proc = startProcess("caddy", "caddy", ["run", "--config", join(dir, "caddy.json")], {
    env: { XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
    logFile: join(dir, "caddy.log"),
  });
  await until(
    "Caddy's admin API",
    async () => {
      if (proc.exited) throw new Error(`caddy exited:\n${tail(proc.logFile)}`);
      return (await fetch(`http://127.0.0.1:${port}/config/`)).ok;
    },
    20_000,
  );
  return { admin: `127.0.0.1:${port}`, proc };
}

async function berthdHelp(binary) {
  return (await run(binary, ["--help"], { timeoutMs: 10_000 })).output;
}

/**
 * berthd with its local agent (as root it runs as the test's own system user, like
 * local_agent_system_test), a fast heartbeat, and no rate limits. `servesDashboard` says
 * whether its own `/` answers with the dashboard: the copy compiled in (built from web/ by the
 * build that made this berthd), or E2E_WEB_DIR's (--web-dir) when that is set.
 */
export async function startBerthd(dir, { localAgent = true, extra = [] } = {}) {
  const binary = berthdBinary();
  mkdirSync(dir, { recursive: true });
  const help = await berthdHelp(binary);
  const args = ["--listen", "127.0.0.1:0", "--port-file", join(dir, "port"), "--data-dir", join(dir, "data"), "--log-file", join(dir, "berthd.log")];
  args.push("--agent-heartbeat", "0.5", "--rate-limit", "0", "--sign-in-rate-limit", "0", ...extra);
  if (localAgent) {
    args.push("--local-agent");
    if (process.getuid() === 0) args.push("--local-agent-user", "berth-test-agent");
  }
  if (process.env.E2E_WEB_DIR) {
    if (!help.includes("--web-dir")) throw new Error("E2E_WEB_DIR is set but this berthd has no --web-dir");
    args.push("--web-dir", resolve(process.env.E2E_WEB_DIR));
  }
  const proc = startProcess("berthd", binary, args, { logFile: join(dir, "berthd.out") });
  const port = await until(
    "berthd's port file",
    () => {
      if (proc.exited) throw new Error(`berthd exited:\n${tail(proc.logFile)}${tail(join(dir, "berthd.log"))}`);
      return existsSync(join(dir, "port")) && Number(readFileSync(join(dir, "port"), "utf8").trim());
    },
    30_000,
  );
  const url = `http://127.0.0.1:${port}`;
  await until("berthd /api/v1/health", async () => (await fetch(`${url}/api/v1/health`)).ok, 20_000);
  const page = await fetch(`${url}/signin`).catch(() => null);
  const serves = page?.ok === true && (page.headers.get("content-type") ?? "").startsWith("text/html") && (await page.text()).includes('id="root"');
  const token = existsSync(join(dir, "data", "setup-token")) ? readFileSync(join(dir, "data", "setup-token"), "utf8").trim() : "";
  return { url, binary, proc, dir, dataDir: join(dir, "data"), setupToken: token, servesDashboard: serves };
}

/** As root the local agent keeps its state in /var/lib/berth-agent/ins_<instance>: remove this run's (after berthd stopped). */
export function removeLocalAgentState(berthd) {
  const text = tail(join(berthd.dir, "berthd.log"), 1 << 20);
  for (const dir of new Set(text.match(/\/var\/lib\/berth-agent\/ins_[0-9A-Za-z]+/g) ?? [])) rmSync(dir, { recursive: true, force: true });
}

/** The Vite dev server proxying /api to berthd, for while berthd does not serve the dashboard. */
export async function startVite(dir, berthdUrl) {
  const port = await freePort();
  const vite = join(webRoot, "node_modules/.bin/vite");
  if (!existsSync(vite)) throw new Error("web/node_modules is missing (cd web && npm ci)");
  const proc = startProcess("vite", vite, ["--port", String(port), "--strictPort", "--host", "127.0.0.1"], {
    cwd: webRoot,
    env: { BERTH_URL: berthdUrl, BROWSER: "none" },
    logFile: join(dir, "vite.log"),
  });
  const url = `http://127.0.0.1:${port}`;
  await until(
    "the Vite dev server",
    async () => {
      if (proc.exited) throw new Error(`vite exited:\n${tail(proc.logFile)}`);
      return (await fetch(`${url}/`)).ok;
    },
    60_000,
    200,
  );
  return { url, proc };
}

/** Enrols a real berth-agent with an install token and runs it against `socket` and `caddyAdmin`. */
export async function startAgent(dir, { berthd, installToken, socket, caddyAdmin }) {
  const binary = join(dirname(berthd.binary), "berth-agent");
  mkdirSync(dir, { recursive: true });
  const enrolled = await run(binary, ["enroll", "--server", berthd.url, "--install-token", installToken, "--state-dir", dir], { timeoutMs: 30_000 });
  if (enrolled.code !== 0) throw new Error(`berth-agent enroll failed:\n${enrolled.output}`);
  const proc = startProcess("berth-agent", binary, ["run", "--state-dir", dir, "--docker-socket", socket, "--caddy-admin", caddyAdmin], {
    logFile: join(dir, "agent.log"),
  });
  const state = JSON.parse(readFileSync(join(dir, "agent.json"), "utf8"));
  return { proc, serverId: state.server_id ?? state.serverId ?? "" };
}

/** Containers a run left behind on the shared dockerd (labelled with its apps' ids). */
export async function removeAppContainers(socket, appIds) {
  const env = { DOCKER_HOST: `unix://${socket}` };
  for (const id of appIds) {
    const listed = await run("docker", ["ps", "-aq", "--filter", `label=berth.app=${id}`], { env });
    const ids = listed.output.split("\n").filter(Boolean);
    if (ids.length) await run("docker", ["rm", "-f", ...ids], { env });
  }
}
