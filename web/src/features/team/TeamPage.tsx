// /team: the current team's header and its tabs (each its own URL). Invitations and API keys
// are admin routes in the API, so their tabs show only to admins and owners.
import { useState } from "react";
import { Outlet } from "react-router-dom";
import { Plus } from "lucide-react";
import { PageHeader } from "../../components/PageHeader";
import { Tabs, type Tab } from "../../components/Tabs";
import { useAuth } from "../../auth/AuthContext";
import { NewTeamDialog } from "./NewTeamDialog";
import "./team.css";

export function TeamPage() {
  const { team, role, can } = useAuth();
  const [creating, setCreating] = useState(false);
  const tabs: Tab[] = [
    { to: "/team/members", label: "Members" },
    ...(can("admin")
      ? [
          { to: "/team/invitations", label: "Invitations" },
          { to: "/team/api-keys", label: "API keys" },
        ]
      : []),
    { to: "/team/settings", label: "Settings" },
  ];
  return (
    <>
      <PageHeader
        title={team?.name ?? "Team"}
        subtitle={
          <span className="row">
            {team?.personal && <span className="badge">personal</span>}
            {role && <span className="badge">your role: {role}</span>}
          </span>
        }
        actions={
          <button type="button" className="btn" onClick={() => setCreating(true)}>
            <Plus size={16} aria-hidden /> New team
          </button>
        }
      />
      <Tabs tabs={tabs} label="Team sections" />
      <Outlet />
      <NewTeamDialog open={creating} onOpenChange={setCreating} />
    </>
  );
}
