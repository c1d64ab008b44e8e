// The user's flow through the dashboard, as a person sees it: selectors by role, label and
// text. Steps come in chains (auth, servers, apps, team, destinations); a step named in
// pending.json belongs to a view that is not on main yet: it still runs, with a short timeout,
// and when it fails its chain stops there and the step is reported pending. A pending step
// that passes fails the run (remove it from pending.json), so the list cannot go stale.
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkView, desktop } from "./lib/browser.mjs";
import { log, until } from "./lib/util.mjs";

// E2E_STRICT=1: every step must pass (for trying the flow on a branch that has all the views).
const pendingSteps = new Set(process.env.E2E_STRICT === "1" ? [] : JSON.parse(readFileSync(new URL("./pending.json", import.meta.url), "utf8")).steps);
class Pending extends Error {}

export const admin = { name: "Ada Admin", email: "ada@e2e.test", password: "correct horse battery staple" };
export const viewer = { name: "Vic Viewer", email: "vic@e2e.test", password: "another horse battery staple" };
const secret = { key: "E2E_SECRET", value: "s3cret-" + Math.random().toString(36).slice(2, 10) };

/** GET through Caddy's HTTP port with a Host header, as a browser on that name would. */
export function throughProxy(port, host, path = "/") {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host }, timeout: 5000 }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body }));
    });
    req.on("error", (error) => resolve({ status: 0, body: String(error) }));
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end();
  });
}

/** An API call with the signed-in page's own session (cookie, CSRF token, team), for the test's plumbing. */
export async function apiAs(page, method, path, body) {
  const result = await page.evaluate(
    async ({ method, path, body }) => {
      const headers = { "content-type": "application/json" };
      const team = localStorage.getItem("berth.team");
      if (team) headers["X-Team-ID"] = team;
      const csrf = localStorage.getItem("berth.csrf");
      if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
      const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, text: await response.text() };
    },
    { method, path, body },
  );
  if (result.status >= 300) throw new Error(`${method} ${path} answered ${result.status}: ${result.text}`);
  return result.text ? JSON.parse(result.text) : null;
}

export class Flow {
  constructor({ browser, baseUrl, shotsDir, stack }) {
    Object.assign(this, { browser, baseUrl, shotsDir, stack });
    this.results = []; // { chain, step, outcome: passed|pending|unexpected-pass, ms, note }
    this.problems = []; // axe violations and other non-fatal findings that fail the run
    this.app = null; // { id, hostname }
  }

  async context() {
    const context = await this.browser.newContext({ baseURL: this.baseUrl, viewport: desktop });
    // Budget: no request to any other origin (UI.md).
    context.on("request", (req) => {
      const url = new URL(req.url());
      if (!["http:", "https:"].includes(url.protocol)) return;
      if (url.origin !== new URL(this.baseUrl).origin) this.problems.push(`request to another origin: ${req.url()}`);
    });
    // The dashboard must live within berthd's Content-Security-Policy.
    context.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy/i.test(message.text())) this.problems.push(`CSP: ${message.text().slice(0, 300)}`);
    });
    // API refusals are part of what a failure needs explaining with.
    context.on("response", (res) => {
      if (res.status() >= 400 && new URL(res.url()).pathname.startsWith("/api/")) log(`    ${res.request().method()} ${new URL(res.url()).pathname} -> ${res.status()}`);
    });
    return context;
  }

  /** Runs one step; a pending one gets 6 s per action, others 20 s. */
  async step(chain, name, page, body) {
    const pending = pendingSteps.has(name);
    page.context().setDefaultTimeout(pending ? 6000 : 20_000);
    this.long = pending ? 6000 : 30_000; // for what really takes a while (a server coming online)
    const started = Date.now();
    try {
      await body();
    } catch (error) {
      const ms = Date.now() - started;
      await page.screenshot({ path: join(this.shotsDir, `failed-${name}.png`) }).catch(() => {});
      if (pending) {
        this.results.push({ chain, step: name, outcome: "pending", ms, note: error.message.split("\n")[0] });
        log(`  pending  ${name} (${error.message.split("\n")[0]})`);
        throw new Pending(name);
      }
      this.results.push({ chain, step: name, outcome: "failed", ms, note: error.message });
      log(`  FAILED   ${name}: ${error.message}`);
      throw error;
    }
    const ms = Date.now() - started;
    this.results.push({ chain, step: name, outcome: pending ? "unexpected-pass" : "passed", ms });
    log(`  ${pending ? "PASSES (remove from pending.json)" : "passed"}  ${name} (${ms} ms)`);
  }

  /** A chain stops at its first pending step; a real failure ends the run. */
  async chain(name, body) {
    log(`chain ${name}`);
    try {
      await body();
    } catch (error) {
      if (!(error instanceof Pending)) throw error;
    }
  }

  /** Signed in: the sidebar's navigation is shown at `url` and stays (no bounce back to /signin). */
  async signedInAt(page, url) {
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.waitForLoadState("networkidle");
    if (!url.test(new URL(page.url()).pathname)) throw new Error(`signed in, but the page is ${page.url()}`);
    await page.getByRole("navigation", { name: "Main" }).waitFor({ timeout: 1000 });
  }

  view(page, name) {
    return checkView(page, name, this.shotsDir, this.problems);
  }

  async run() {
    const context = await this.context();
    const page = await context.newPage();
    this.page = page;
    if (process.env.E2E_DEBUG) page.on("framenavigated", (f) => f === page.mainFrame() && log(`    -> ${f.url()}`));
    const { stack } = this;

    await this.chain("auth", async () => {
      await this.step("auth", "setup-with-token", page, async () => {
        await page.goto("/setup");
        await page.getByRole("heading", { name: "Set up Berth" }).waitFor();
        await this.view(page, "setup");
        await page.getByLabel("Setup token").fill(stack.setupToken);
        await page.getByLabel("Your name").fill(admin.name);
        await page.getByLabel("Email").fill(admin.email);
        await page.getByLabel("Password").fill(admin.password);
        await page.getByRole("button", { name: "Create administrator" }).click();
        await this.signedInAt(page, /\/servers$/);
      });
      await this.step("auth", "sign-out-and-sign-in", page, async () => {
        await page.getByRole("button", { name: "Sign out" }).click();
        await page.waitForURL(/\/signin/);
        await page.getByRole("heading", { name: "Sign in" }).waitFor();
        await this.view(page, "signin");
        await page.getByLabel("Email").fill(admin.email);
        await page.getByLabel("Password").fill(admin.password);
        await page.getByRole("button", { name: "Sign in" }).click();
        await this.signedInAt(page, /\/servers$/);
      });
    });

    // Plumbing, not the flow under test: a second real agent with the test's dockerd and
    // Caddy (the local agent uses the machine's default socket and Caddy on :2019, which a
    // test must not take over), and that server's proxy ports.
    await stack.addDockerServer((method, path, body) => apiAs(page, method, path, body));

    await this.chain("servers", async () => {
      await this.step("servers", "local-server-online-with-chart", page, async () => {
        await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Servers" }).click();
        const local = stack.localServerName;
        const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: local, exact: true }) });
        // Live: the row says online (in words, not colour alone) and draws its CPU sparkline.
        await row.filter({ hasText: "online" }).waitFor({ timeout: this.long });
        await row.getByRole("img", { name: new RegExp(`^${local} CPU`) }).waitFor({ timeout: this.long });
        await this.view(page, "servers");
        await row.getByRole("link", { name: local, exact: true }).click();
        await page.getByRole("heading", { name: local, exact: true }).waitFor();
        await page.getByRole("img", { name: /CPU, memory and disk chart/ }).waitFor({ timeout: this.long });
        await this.view(page, "server");
      });
    });

    await this.chain("apps", () => this.appsChain(page));
    await this.chain("team", () => this.teamChain(page));
    await this.chain("destinations", () => this.destinationsChain(page));
    await context.close();
  }

  async openApp(page, tab) {
    await page.goto(`/apps/${this.app.id}${tab ? `/${tab}` : ""}`);
    await page.getByRole("heading", { name: "e2e-web", exact: true }).waitFor();
  }

  /**
   * Deploys from the app's header (the dialog's image field overrides the image once) and
   * follows the deployment's page until it ends. Live: a MutationObserver records every state
   * the step list passes through, so steps that tick one by one are told apart from a list that
   * only appeared complete.
   */
  async deployAndWatch(page, expected, image = "") {
    await page.evaluate(() => {
      window.__stepSnapshots = [];
      const snap = () => {
        const items = [...document.querySelectorAll("ol[aria-live] li")].map((li) => li.textContent.trim());
        const last = window.__stepSnapshots.at(-1);
        if (!last || last.join("|") !== items.join("|")) window.__stepSnapshots.push(items);
      };
      new MutationObserver(snap).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Deploy e2e-web" });
    if (image) await dialog.getByLabel(/^Image/).fill(image);
    await dialog.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL(/\/deployments\/[^/]+$/);
    const id = new URL(page.url()).pathname.split("/").pop();
    // The deployment's own state is the one in its page header (steps say failed too).
    const header = page.locator("header").filter({ has: page.getByRole("heading", { name: /Deployment of/ }) });
    await header.getByText(expected, { exact: true }).waitFor({ timeout: 90_000 });
    const steps = page.getByRole("list").filter({ has: page.getByRole("listitem") }).last();
    for (const step of expected === "succeeded" ? ["pull", "start", "health", "switch"] : ["health"]) {
      await steps.getByRole("listitem").filter({ hasText: new RegExp(`^${step}`) }).first().waitFor();
    }
    const snapshots = await page.evaluate(() => window.__stepSnapshots);
    // Some moment showed a step unfinished (running/waiting) and a later one more steps or states.
    const unfinished = snapshots.findIndex((items) => items.length > 0 && items.some((t) => /running|waiting$/.test(t)));
    if (unfinished < 0 || unfinished === snapshots.length - 1) {
      throw new Error(`deployment ${id}: the steps did not tick live; states seen: ${JSON.stringify(snapshots)}`);
    }
    const record = await apiAs(page, "GET", `/api/v1/deployments/${id}`);
    if (record.state !== expected) throw new Error(`the page said ${expected}, the API says ${record.state}`);
    return record;
  }

  async waitServing(body) {
    const { httpPort } = this.stack;
    return until(`${this.app.hostname} to serve ${JSON.stringify(body)} through Caddy`, async () => {
      const reply = await throughProxy(httpPort, this.app.hostname);
      return reply.status === 200 && reply.body === body;
    }, 30_000);
  }

  async appsChain(page) {
    const { stack } = this;
    await this.step("apps", "create-image-app", page, async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Apps" }).click();
      await page.getByRole("heading", { name: "Apps", exact: true }).waitFor();
      await this.view(page, "apps-empty");
      await page.getByRole("link", { name: "Create an app" }).first().click();
      await page.getByRole("heading", { name: "Create an app", exact: true }).waitFor();
      await page.getByLabel("Name", { exact: true }).fill("e2e-web");
      const server = page.getByLabel("Server", { exact: true });
      const option = server.locator("option").filter({ hasText: /^e2e-docker/ });
      await option.waitFor({ state: "attached" });
      await server.selectOption(await option.getAttribute("value"));
      await page.getByRole("radio", { name: /^Image/ }).check();
      await page.getByLabel("Image", { exact: true }).fill(stack.images.v1);
      await page.getByLabel("Container port").fill("8080");
      await this.view(page, "app-new");
      await page.getByRole("button", { name: "Create app" }).click();
      await page.waitForURL(/\/apps\/app_[^/]+$/);
      const id = new URL(page.url()).pathname.split("/")[2];
      stack.appIds.push(id);
      await page.getByRole("heading", { name: "e2e-web", exact: true }).waitFor();
      // No registry here: the image is never pulled (the Settings tab's pull policy).
      await page.getByRole("link", { name: "Settings" }).click();
      const runs = page.locator("form").filter({ has: page.getByLabel("Pull policy") });
      await runs.getByLabel("Pull policy").selectOption("never");
      await runs.getByRole("button", { name: "Save" }).click();
      await page.getByText(/^Saved/).first().waitFor();
      // Plumbing: a quick health check, which the dashboard does not tune (only its path).
      const app = await apiAs(page, "PATCH", `/api/v1/apps/${id}`, {
        settings: { drain_grace_s: 2, health: { path: "/", interval_s: 0.2, timeout_s: 1, retries: 10, start_period_s: 0 } },
      });
      if (app.settings?.pull_policy !== "never") throw new Error(`the pull policy is ${app.settings?.pull_policy}`);
      this.app = { id, hostname: app.hostname };
      await this.view(page, "app-settings");
    });
    await this.step("apps", "set-secret-env-var", page, async () => {
      await page.getByRole("link", { name: "Env", exact: true }).click();
      await page.getByRole("button", { name: "Add variable" }).click();
      const dialog = page.getByRole("dialog", { name: "Add a variable" });
      await dialog.getByLabel("Key", { exact: true }).fill(secret.key);
      await dialog.getByLabel("Value", { exact: true }).fill(secret.value);
      await dialog.getByLabel(/^Secret/).check();
      await dialog.getByRole("button", { name: "Save" }).click();
      await dialog.waitFor({ state: "detached" });
      const row = page.getByRole("row").filter({ hasText: secret.key });
      await row.getByLabel("hidden secret").waitFor();
      // A secret is never shown back.
      if ((await page.content()).includes(secret.value)) throw new Error("the secret's value is on the page");
      await this.view(page, "app-env");
    });
    await this.step("apps", "deploy-and-watch-steps-live", page, async () => {
      await this.openApp(page);
      this.deployV1 = await this.deployAndWatch(page, "succeeded");
      await this.view(page, "deployment");
    });
    await this.step("apps", "open-app-through-caddy", page, async () => {
      await this.waitServing("v1\n");
      const env = await throughProxy(stack.httpPort, this.app.hostname, "/cgi-bin/env");
      if (!env.body.includes(`${secret.key}=${secret.value}`)) throw new Error(`the container lacks the secret:\n${env.body}`);
    });
    await this.step("apps", "deploy-v2", page, async () => {
      await this.openApp(page);
      await this.deployAndWatch(page, "succeeded", stack.images.v2);
      await this.waitServing("v2\n");
    });
    await this.step("apps", "failing-version-held-back", page, async () => {
      await this.openApp(page);
      const failed = await this.deployAndWatch(page, "failed", stack.images.broken);
      if (failed.step !== "health") throw new Error(`failed in step ${failed.step}, not health`);
      // What the page says about it, and the previous deployment keeps serving.
      await page.getByText(/health/i).first().waitFor();
      const reply = await throughProxy(stack.httpPort, this.app.hostname);
      if (reply.body !== "v2\n") throw new Error(`after the failed deployment Caddy answered ${reply.status} ${JSON.stringify(reply.body)}`);
      await this.view(page, "deployment-failed");
    });
    await this.step("apps", "roll-back", page, async () => {
      await this.openApp(page, "deployments");
      await page.getByRole("table").waitFor();
      await this.view(page, "app-deployments");
      await page.getByRole("button", { name: "Rollback" }).click();
      const dialog = page.getByRole("dialog", { name: "Roll e2e-web back" });
      await dialog.getByRole("radio", { name: new RegExp(stack.images.v1.replace(/[.:/]/g, "\\$&")) }).check();
      await dialog.getByRole("button", { name: "Roll back" }).click();
      await page.waitForURL(/\/deployments\/[^/]+$/);
      const header = page.locator("header").filter({ has: page.getByRole("heading", { name: /Deployment of/ }) });
      await header.getByText("succeeded", { exact: true }).waitFor({ timeout: 60_000 });
      await this.waitServing("v1\n");
    });
  }

  async destinationsChain(page) {
    await this.step("destinations", "add-and-test-a-destination-that-does-not-answer", page, async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Backup destinations" }).click();
      await page.getByRole("heading", { name: "No destinations yet" }).waitFor();
      await this.view(page, "destinations-empty");
      await page.getByRole("button", { name: "Add destination" }).first().click();
      const dialog = page.getByRole("dialog", { name: "Add backup destination" });
      await dialog.getByLabel("SFTP folder").check();
      await dialog.getByLabel("Host", { exact: true }).waitFor();
      await dialog.getByLabel("S3-compatible bucket").check();
      await this.view(page, "destination-add");
      await dialog.getByLabel("Name", { exact: true }).fill("nowhere");
      // Port 1 on loopback: nothing listens, so the test fails at its first step, plainly.
      await dialog.getByLabel("Endpoint", { exact: true }).fill("http://127.0.0.1:1");
      await dialog.getByLabel("Bucket", { exact: true }).fill("backups");
      await dialog.getByLabel("Access key id", { exact: true }).fill("AKIDEXAMPLE");
      await dialog.getByLabel("Secret access key", { exact: true }).fill("e2e-secret-never-shown");
      await dialog.getByRole("button", { name: "Add destination" }).click();
      await dialog.waitFor({ state: "detached" });
      await page.getByRole("button", { name: "Test nowhere" }).click();
      const steps = page.getByRole("list", { name: "Test of nowhere" });
      await steps.getByText(/Write a probe object — failed: the S3 endpoint cannot be reached/).waitFor({ timeout: this.long });
      await this.view(page, "destinations-tested");
      if ((await page.content()).includes("e2e-secret-never-shown")) throw new Error("the secret is on the page");
    });
  }

  async teamChain(page) {
    let link = "";
    await this.step("team", "invite-viewer-copy-link", page, async () => {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
      await page.getByRole("link", { name: "Invitations" }).click();
      await this.view(page, "team-invitations");
      await page.getByRole("button", { name: "Invite" }).click();
      const dialog = page.getByRole("dialog", { name: "Invite someone" });
      await dialog.getByLabel("Email").fill(viewer.email);
      await dialog.getByLabel("Role").selectOption("viewer");
      await dialog.getByRole("button", { name: "Send invitation" }).click();
      // No SMTP: the dialog shows the link to hand over, and copies it.
      const result = page.getByRole("dialog", { name: "Send this invitation link" });
      const shown = await result.getByLabel("Invitation link").textContent();
      await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(this.baseUrl).origin });
      await result.getByRole("button", { name: "Copy link" }).click();
      await result.getByRole("button", { name: "Copied" }).waitFor();
      link = await page.evaluate(() => navigator.clipboard.readText());
      if (link !== shown || !/^https?:\/\/\S+\/invite#/.test(link)) throw new Error(`copied ${JSON.stringify(link)}, shown ${JSON.stringify(shown)}`);
      await result.getByRole("button", { name: "Done" }).click();
    });
    const context = await this.context();
    const guest = await context.newPage();
    try {
      await this.step("team", "viewer-registers-and-sees-no-deploy", guest, async () => {
        if (!link) throw new Error("no invitation link (the invite step did not pass)");
        // The link names berthd's public URL; in dev mode the dashboard is on Vite's origin.
        const url = new URL(link);
        await guest.goto(url.pathname + url.search + url.hash);
        await guest.getByRole("heading", { name: "Join a team on Berth" }).waitFor();
        await this.view(guest, "invitation");
        await guest.getByLabel("Your name").fill(viewer.name);
        await guest.getByLabel("Password", { exact: true }).fill(viewer.password);
        await guest.getByLabel("Repeat the password").fill(viewer.password);
        await guest.getByRole("button", { name: "Create account and join" }).click();
        await guest.getByRole("navigation", { name: "Main" }).waitFor();
        if (!this.app) throw new Error("no app to look at (the apps chain did not create one)");
        await guest.goto(`/apps/${this.app.id}`);
        await guest.getByRole("heading", { name: "e2e-web", exact: true }).waitFor();
        await guest.getByRole("link", { name: "Deployments" }).waitFor();
        if (await guest.getByRole("button", { name: "Deploy", exact: true }).count()) throw new Error("a viewer sees a Deploy button");
        await this.view(guest, "app-as-viewer");
      });
      await this.step("team", "viewer-signs-out", guest, async () => {
        await guest.getByRole("button", { name: "Sign out" }).click();
        await guest.waitForURL(/\/signin/);
        await guest.getByRole("heading", { name: "Sign in" }).waitFor();
      });
    } finally {
      await context.close();
    }
  }
}
