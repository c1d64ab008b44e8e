// The lifecycle actions of a server's Settings tab: which apply in which state, and what each
// dialog says (it names the server and what the action does).

export type ServerAction = "cordon" | "uncordon" | "drain" | "revoke-agent" | "delete";

export interface ActionText {
  label: string;
  title: (name: string) => string;
  body: string;
  done: (name: string) => string;
  danger: boolean;
}

export const actionText: Record<ServerAction, ActionText> = {
  cordon: {
    label: "Cordon",
    title: (n) => `Cordon ${n}?`,
    body: "No new deployments are placed on it; what runs there keeps running.",
    done: (n) => `${n} cordoned`,
    danger: false,
  },
  uncordon: {
    label: "Uncordon",
    title: (n) => `Uncordon ${n}?`,
    body: "New deployments may be placed on it again.",
    done: (n) => `${n} is schedulable again`,
    danger: false,
  },
  drain: {
    label: "Drain",
    title: (n) => `Drain ${n}?`,
    body: "It is cordoned, its queued jobs are canceled and new jobs are refused.",
    done: (n) => `${n} is draining`,
    danger: true,
  },
  "revoke-agent": {
    label: "Revoke agent",
    title: (n) => `Revoke the agent of ${n}?`,
    body: "Its agent is disconnected at once and its token stops working; the server must be enrolled again with a new install token.",
    done: (n) => `Agent of ${n} revoked`,
    danger: true,
  },
  delete: {
    label: "Delete server",
    title: (n) => `Delete ${n}?`,
    body: "Its jobs, metrics and events are deleted and its agent is disconnected. Nothing is removed from the machine itself.",
    done: (n) => `${n} deleted`,
    danger: true,
  },
};

/// The actions that make sense for a server in this scheduling state (delete always does).
export function availableActions(scheduling: string | undefined, agentEnrolled: boolean | undefined): ServerAction[] {
  const out: ServerAction[] = [];
  if (scheduling === "active" || scheduling === undefined) out.push("cordon");
  else out.push("uncordon");
  if (scheduling !== "draining") out.push("drain");
  if (agentEnrolled) out.push("revoke-agent");
  out.push("delete");
  return out;
}

/// Labels are edited as `key=value` lines; returns the object or the first line that is wrong.
export function parseLabels(text: string): { ok: true; labels: Record<string, string> } | { ok: false; message: string } {
  const labels: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { ok: false, message: `Line ${i + 1}: write key=value` };
    const key = line.slice(0, eq).trim();
    if (key in labels) return { ok: false, message: `Line ${i + 1}: ${key} is given twice` };
    labels[key] = line.slice(eq + 1).trim();
  }
  return { ok: true, labels };
}

export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
}
