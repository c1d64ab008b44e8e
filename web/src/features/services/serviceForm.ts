// The services forms' rules, kept out of the components so they are tested alone: the engines
// and their versions (docs/services.md), memory and CPU limits as people write them, and the
// bodies of POST /services and PATCH /services/{id} (only what was given or changed).
import type { CreateServiceBody, Engine, PatchServiceBody, Publish, Service } from "./types";

export interface EngineInfo {
  engine: Engine;
  label: string;
  versions: string[]; // oldest first; the last is the default
  image: (version: string) => string;
  port: number;
}

export const engines: EngineInfo[] = [
  { engine: "postgres", label: "PostgreSQL", versions: ["15", "16", "17"], image: (v) => `postgres:${v}`, port: 5432 },
  { engine: "mysql", label: "MySQL", versions: ["8"], image: () => "mysql:8", port: 3306 },
  { engine: "mariadb", label: "MariaDB", versions: ["11"], image: () => "mariadb:11", port: 3306 },
  { engine: "redis", label: "Redis", versions: ["7"], image: () => "redis:7", port: 6379 },
  { engine: "valkey", label: "Valkey", versions: ["7", "8"], image: (v) => `valkey/valkey:${v}`, port: 6379 },
];

export function engineInfo(engine: string | undefined): EngineInfo | undefined {
  return engines.find((e) => e.engine === engine);
}

/// The engine a form shows when it names none it knows.
export const fallbackEngine = engines[0] as EngineInfo;

export function engineLabel(engine: string | undefined): string {
  return engineInfo(engine)?.label ?? engine ?? "–";
}

export function defaultVersion(engine: string): string {
  const versions = engineInfo(engine)?.versions ?? [];
  return versions[versions.length - 1] ?? "";
}

const MiB = 1024 * 1024;
const units: Record<string, number> = { "": 1, k: 1024, m: MiB, g: 1024 * MiB, t: 1024 * 1024 * MiB };

/// "512M", "1G", "1.5GiB", "268435456" → bytes (K, M, G, T: powers of 1024); "0" is no limit.
/// null when it is not a size.
export function parseMemory(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  const bytes = Math.round(Number(match[1]) * (units[(match[2] ?? "").toLowerCase()] ?? 1));
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/// Bytes as the form shows them: "512M", "1G", "no limit" for 0.
export function formatMemory(bytes: number | undefined): string {
  if (!bytes) return "no limit";
  if (bytes % (1024 * MiB) === 0) return `${bytes / (1024 * MiB)}G`;
  if (bytes % MiB === 0) return `${bytes / MiB}M`;
  return `${bytes} bytes`;
}

/// "0.5" CPUs → nano CPUs; "" is null (unchanged), something else undefined (invalid).
export function parseCpus(text: string): number | null | undefined {
  if (text.trim() === "") return null;
  const cpus = Number(text);
  if (!Number.isFinite(cpus) || cpus < 0 || cpus > 1024) return undefined;
  return Math.round(cpus * 1e9);
}

export function formatCpus(nano: number | undefined): string {
  return nano ? String(nano / 1e9) : "no limit";
}

export function describePublish(publish: Service["publish"] | undefined): string | null {
  return publish ? `${publish.host_ip ?? "127.0.0.1"}:${publish.host_port}` : null;
}

export interface PublishForm {
  on: boolean;
  hostIp: string;
  hostPort: string;
}

export interface SpecForm {
  version: string;
  image: string;
  memory: string;
  cpus: string;
  publish: PublishForm;
}

export interface CreateForm extends SpecForm {
  name: string;
  engine: Engine;
  projectId: string;
  serverId: string;
}

export function emptyCreateForm(): CreateForm {
  return { name: "", engine: "postgres", projectId: "", serverId: "", version: "17", image: "", memory: "512M", cpus: "", publish: { on: false, hostIp: "127.0.0.1", hostPort: "" } };
}

/// The form of a service's settings, as it is now.
export function specFormOf(service: Service): SpecForm {
  return {
    version: service.version ?? "",
    image: service.image ?? "",
    memory: service.memory_bytes ? formatMemory(service.memory_bytes) : "0",
    cpus: service.nano_cpus ? String(service.nano_cpus / 1e9) : "",
    publish: { on: Boolean(service.publish), hostIp: service.publish?.host_ip ?? "127.0.0.1", hostPort: service.publish?.host_port ? String(service.publish.host_port) : "" },
  };
}

export type FormErrors = Partial<Record<"name" | "projectId" | "serverId" | "memory" | "cpus" | "hostPort" | "hostIp", string>>;

function publishOf(form: PublishForm, errors: FormErrors): Publish | null {
  if (!form.on) return null;
  const port = Number(form.hostPort);
  if (!/^\d+$/.test(form.hostPort) || port < 1 || port > 65535) errors.hostPort = "A port from 1 to 65535";
  if (!form.hostIp.trim()) errors.hostIp = "An address of the server, e.g. 127.0.0.1";
  return { host_ip: form.hostIp.trim(), host_port: port };
}

function limitsOf(form: SpecForm, errors: FormErrors) {
  const memory = form.memory.trim() === "" ? null : parseMemory(form.memory);
  if (form.memory.trim() !== "" && memory === null) errors.memory = "A size like 512M or 1G (0: no limit)";
  const cpus = parseCpus(form.cpus);
  if (cpus === undefined) errors.cpus = "A number of CPUs like 0.5 or 2 (0: no limit)";
  return { memory, cpus: cpus ?? null };
}

/// POST /services from the form (publish only when `canPublish`), or what needs fixing.
export function buildCreateBody(form: CreateForm, canPublish: boolean): { body: CreateServiceBody; errors: FormErrors } {
  const errors: FormErrors = {};
  if (!/^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/.test(form.name)) errors.name = "Lower-case letters, digits and -, up to 64";
  if (!form.projectId) errors.projectId = "Choose a project";
  if (!form.serverId) errors.serverId = "Choose a server";
  const body: CreateServiceBody = { name: form.name, engine: form.engine, project_id: form.projectId, server_id: form.serverId };
  if (form.version) body.version = form.version;
  if (form.image.trim()) body.image = form.image.trim();
  const { memory, cpus } = limitsOf(form, errors);
  if (memory !== null) body.memory_bytes = memory;
  if (cpus !== null && cpus > 0) body.nano_cpus = cpus;
  const publish = canPublish ? publishOf(form.publish, errors) : null;
  if (publish) body.publish = publish;
  return { body, errors };
}

/// PATCH /services/{id}: only the fields that differ from the service (publish only when
/// `canPublish`), or what needs fixing.
export function buildPatchBody(service: Service, form: SpecForm, canPublish: boolean): { body: PatchServiceBody; errors: FormErrors } {
  const errors: FormErrors = {};
  const body: PatchServiceBody = {};
  if (form.version && form.version !== service.version) body.version = form.version;
  if (form.image.trim() && form.image.trim() !== service.image) body.image = form.image.trim();
  const { memory, cpus } = limitsOf(form, errors);
  if (memory !== null && memory !== (service.memory_bytes ?? 0)) body.memory_bytes = memory;
  if (cpus !== null && cpus !== (service.nano_cpus ?? 0)) body.nano_cpus = cpus;
  if (canPublish) {
    const publish = publishOf(form.publish, errors);
    const now = service.publish ?? null;
    if ((publish === null) !== (now === null) || (publish && now && (publish.host_ip !== now.host_ip || publish.host_port !== now.host_port))) {
      body.publish = publish;
    }
  }
  return { body, errors };
}

/// While an operation runs, the service's status changes under the page.
export function isBusy(status: string | undefined): boolean {
  return status === "new" || status === "deploying" || status === "stopping" || status === "deleting";
}

export const publishWarning =
  "A published port is reachable by anything that reaches that address of the server, guarded only by the service's password. " +
  "127.0.0.1 keeps it to the server itself (a tool there, or an SSH tunnel); 0.0.0.0 exposes it to every network the server is on.";
