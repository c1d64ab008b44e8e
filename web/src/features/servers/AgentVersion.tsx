import { useState } from "react";
import { Link } from "react-router-dom";
import { useQueryClient } from "@tanstack/react-query";
import { api, call } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { useToast } from "../../components/Toast";
import { serverKeys } from "./keys";
import type { Server } from "./types";

/// "update available" next to an agent's version when berthd serves a newer one.
export function UpdateBadge({ server }: { server: Server }) {
  if (!server.agent_update_available) return null;
  return <span className="badge badge-warn">update available</span>;
}

/// The agent's version on a server's page, with an Upgrade button for admins when berthd
/// serves a newer agent. The agent replaces itself and reconnects; the server's event stream
/// brings the new version in.
export function AgentVersion({ server, teamId }: { server: Server; teamId: string | null }) {
  const admin = useAuth().can("admin");
  const client = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const [jobId, setJobId] = useState<string | null>(null);
  const id = server.id ?? "";
  const name = server.name ?? id;
  if (!server.agent_enrolled) return <>not enrolled</>;

  const upgrade = async () => {
    const started = await call(api.POST("/api/v1/servers/{id}/upgrade", { params: { path: { id } } }));
    setJobId(started.job?.id ?? null);
    toast(`Upgrading the agent of ${name} to ${started.to_version}`);
    void client.invalidateQueries({ queryKey: serverKeys.jobsOf(teamId, id) });
  };

  return (
    <span className="row">
      <span className="mono">{server.agent_version || "enrolled"}</span>
      <UpdateBadge server={server} />
      {admin && server.agent_update_available && (
        <button type="button" className="btn btn-sm" onClick={() => setOpen(true)}>
          Upgrade
        </button>
      )}
      {jobId && (
        <Link to={`/jobs/${encodeURIComponent(jobId)}`} className="small">
          upgrade job
        </Link>
      )}
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title={`Upgrade the agent of ${name}?`}
        confirmLabel="Upgrade"
        danger={false}
        onConfirm={upgrade}
      >
        The agent downloads the version berthd serves, checks its SHA-256, replaces its binary and restarts. Running
        apps keep running; jobs sent meanwhile wait for it to reconnect.
      </ConfirmDialog>
    </span>
  );
}

/// The servers list's "Upgrade agents" for admins: every agent older than berthd, at once.
export function UpgradeAllButton({ teamId }: { teamId: string | null }) {
  const client = useQueryClient();
  const toast = useToast();
  const [open, setOpen] = useState(false);
  const upgradeAll = async () => {
    const started = await call(api.POST("/api/v1/servers/upgrade"));
    const count = started.data?.length ?? 0;
    toast(count === 0 ? `Every agent already runs ${started.version}` : `Upgrading ${count} agent(s) to ${started.version}`);
    void client.invalidateQueries({ queryKey: serverKeys.lists(teamId) });
  };
  return (
    <>
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        Upgrade agents
      </button>
      <ConfirmDialog
        open={open}
        onOpenChange={setOpen}
        title="Upgrade every older agent?"
        confirmLabel="Upgrade all"
        danger={false}
        onConfirm={upgradeAll}
      >
        Each server whose agent is older than berthd downloads the new agent, checks its SHA-256, replaces it and
        restarts. Running apps keep running.
      </ConfirmDialog>
    </>
  );
}
