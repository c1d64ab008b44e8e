// /admin: instance administration (accounts, every team, the instance-wide audit log, and the
// doctor's checks of the installation).
// Only instance administrators get here usefully; berthd refuses everyone else anyway.
import { Outlet } from "react-router-dom";
import { ShieldAlert } from "lucide-react";
import { useAuth } from "../../../auth/AuthContext";
import { PageHeader } from "../../../components/PageHeader";
import { Tabs } from "../../../components/Tabs";
import "../team.css";

export function AdminPage() {
  const { isInstanceAdmin } = useAuth();
  if (!isInstanceAdmin) {
    return (
      <>
        <PageHeader title="Administration" />
        <div className="empty card" role="note">
          <ShieldAlert size={20} aria-hidden />
          <h3>Instance administrators only</h3>
          <p>This part of Berth manages every account and team. Ask an instance administrator if you need something here.</p>
        </div>
      </>
    );
  }
  return (
    <>
      <PageHeader title="Administration" subtitle="Every account and team on this Berth" />
      <Tabs
        label="Administration sections"
        tabs={[
          { to: "/admin/users", label: "Users" },
          { to: "/admin/teams", label: "Teams" },
          { to: "/admin/audit", label: "Audit log" },
          { to: "/admin/doctor", label: "Doctor" },
        ]}
      />
      <Outlet />
    </>
  );
}
