// Small helpers the e2e and the web benchmark share: deadlines, free ports, child processes
// that are always stopped, and a log with elapsed seconds.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { openSync, readFileSync, existsSync } from "node:fs";

const started = Date.now();
export const log = (...args) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`, ...args);

export class Skip extends Error {}

/** Polls `probe` (sync or async) until it returns a truthy value; throws `what` at the deadline. */
export async function until(what, probe, timeoutMs = 20_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A loopback TCP port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const children = new Set();

/** Starts a long-running child with output to `logFile`; stopped by stopAll() (SIGTERM, then SIGKILL). */
export function startProcess(name, command, args, { env = {}, logFile, cwd } = {}) {
  const out = openSync(logFile, "a");
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", out, out], detached: true });
  const entry = { name, child, logFile, exited: null };
  child.on("exit", (code, signal) => (entry.exited = { code, signal }));
  child.on("error", (error) => (entry.exited = { code: -1, signal: null, error }));
  children.add(entry);
  return entry;
}

export function tail(file, bytes = 3000) {
  if (!file || !existsSync(file)) return "";
  const text = readFileSync(file, "utf8");
  return text.length > bytes ? text.slice(-bytes) : text;
}

/** Stops one child (SIGTERM to its group, SIGKILL after the grace). */
export async function stopProcess(entry, graceMs = 8000) {
  children.delete(entry);
  return stop(entry, graceMs);
}

async function stop(entry, graceMs = 8000) {
  if (entry.exited) return;
  // The child leads a process group of its own: its own children (vite's esbuild) go with it.
  const signal = (sig) => {
    try {
      process.kill(-entry.child.pid, sig);
    } catch {
      /* already gone */
    }
  };
  signal("SIGTERM");
  try {
    await until(`${entry.name} to exit`, () => entry.exited, graceMs, 50);
  } catch {
    signal("SIGKILL");
    await until(`${entry.name} to die`, () => entry.exited, 5000, 50).catch(() => {});
  }
}

/** Stops every child started here, newest first. */
export async function stopAll() {
  for (const entry of [...children].reverse()) {
    const t = Date.now();
    await stop(entry);
    if (Date.now() - t > 1000) log(`${entry.name} took ${Date.now() - t} ms to stop`);
    children.delete(entry);
  }
}

/** Runs a command to completion (bounded); { code, output }. */
export function run(command, args, { env = {}, timeoutMs = 120_000, cwd } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: 127, output: String(error) });
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}
