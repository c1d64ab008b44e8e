// The create wizard's form → POST /apps body. Empty optional fields are left out so berthd
// fills its defaults (apps.md: stored settings are always complete).
import type { CreateAppBody, AppSettings } from "../shared/types";
import { ENV_KEY } from "../env/dotenv";
import { toWorkflowSteps, type StepDraft, type StepError } from "./steps";

export interface CreateForm {
  name: string;
  projectId: string;
  serverId: string;
  hostname: string;
  type: "image" | "git" | "workflow";
  image: string;
  repository: string;
  branch: string;
  dockerfile: string;
  context: string;
  buildArgs: string; // KEY=value per line
  secretBuildArgs: string; // names, comma or space separated
  steps: StepDraft[];
  port: string;
  healthPath: string;
  command: string; // one argument per line
  privileged: boolean;
  hostNetwork: boolean;
}

export function emptyForm(): CreateForm {
  return {
    name: "", projectId: "", serverId: "", hostname: "", type: "image", image: "", repository: "", branch: "",
    dockerfile: "", context: "", buildArgs: "", secretBuildArgs: "", steps: [], port: "", healthPath: "", command: "",
    privileged: false, hostNetwork: false,
  };
}

export function buildCreateBody(form: CreateForm): { body: CreateAppBody; errors: Record<string, string>; stepErrors: StepError[] } {
  const errors: Record<string, string> = {};
  let stepErrors: StepError[] = [];
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(form.name)) errors.name = "Lower-case letters, digits and -, starting with a letter or digit (at most 63)";
  if (!form.serverId) errors.serverId = "Pick the server it runs on";

  let source: CreateAppBody["source"];
  if (form.type === "image") {
    if (!form.image.trim()) errors.image = "Name the image, e.g. nginx:1.27";
    source = { type: "image", image: form.image.trim() };
  } else if (form.type === "git") {
    if (!form.repository.trim()) errors.repository = "Give the repository URL";
    source = { type: "git", repository: form.repository.trim() };
    if (form.branch.trim()) source.branch = form.branch.trim();
    if (form.dockerfile.trim()) source.dockerfile = form.dockerfile.trim();
    if (form.context.trim()) source.context = form.context.trim();
    const args: Record<string, string> = {};
    for (const line of form.buildArgs.split("\n")) {
      if (!line.trim()) continue;
      const eq = line.indexOf("=");
      const key = line.slice(0, Math.max(eq, 0)).trim();
      if (eq < 0 || !ENV_KEY.test(key)) errors.buildArgs = `"${line}" is not KEY=value`;
      else args[key] = line.slice(eq + 1);
    }
    if (Object.keys(args).length) source.build_args = args;
    const secretNames = form.secretBuildArgs.split(/[\s,]+/).filter(Boolean);
    if (secretNames.length) source.secret_build_args = secretNames;
  } else {
    const built = toWorkflowSteps(form.steps);
    stepErrors = built.errors;
    source = { type: "workflow", steps: built.steps };
  }

  const settings: AppSettings = {};
  if (form.port.trim()) {
    const port = Number(form.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) errors.port = "A port from 1 to 65535";
    else settings.port = port;
  } else if (form.type !== "workflow") errors.port = "The port the container listens on";
  if (form.healthPath.trim()) settings.health = { path: form.healthPath.trim() };
  const command = form.command.split("\n").filter((l) => l !== "");
  if (command.length) settings.command = command;
  if (form.privileged) settings.privileged = true;
  if (form.hostNetwork) settings.network_mode = "host";

  const body: CreateAppBody = { name: form.name, server_id: form.serverId, source, settings };
  if (form.projectId) body.project_id = form.projectId;
  if (form.hostname.trim()) body.hostname = form.hostname.trim();
  return { body, errors, stepErrors };
}
