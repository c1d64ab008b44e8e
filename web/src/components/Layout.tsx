// The signed-in frame: sidebar (team switcher, sections, account menu) and the page.
import { Suspense, useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router-dom";
import { Archive, Boxes, Database, DatabaseBackup, FolderKanban, Menu, ScrollText, Server, Shield, UserRound, Users } from "lucide-react";
import { useAuth } from "../auth/AuthContext";

export function Layout() {
  const { memberships, teamId, switchTeam, user, isInstanceAdmin, signOut, can } = useAuth();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  const navClass = ({ isActive }: { isActive: boolean }) => (isActive ? "active" : "");
  return (
    <div className="shell">
      <div className="topbar">
        <button type="button" className="btn btn-ghost" aria-label="Menu" aria-expanded={open} onClick={() => setOpen(!open)}>
          <Menu size={18} aria-hidden />
        </button>
        <strong>Berth</strong>
      </div>
      <aside className={open ? "sidebar open" : "sidebar"} onClick={() => setOpen(false)}>
        <div className="brand">
          <img src="/favicon.svg" width={22} height={22} alt="" />
          Berth
        </div>
        <label className="sr-only" htmlFor="team-switcher">
          Team
        </label>
        <select
          id="team-switcher"
          className="input"
          value={teamId ?? ""}
          onClick={(e) => e.stopPropagation()}
          onChange={(e) => switchTeam(e.target.value)}
        >
          {memberships.map((m) => (
            <option key={m.team?.id} value={m.team?.id}>
              {m.team?.personal ? `${m.team?.name} (personal)` : m.team?.name} · {m.role}
            </option>
          ))}
        </select>
        <nav className="nav" aria-label="Main">
          <NavLink to="/servers" className={navClass}>
            <Server size={16} aria-hidden /> Servers
          </NavLink>
          <NavLink to="/apps" className={navClass}>
            <Boxes size={16} aria-hidden /> Apps
          </NavLink>
          <NavLink to="/projects" className={navClass}>
            <FolderKanban size={16} aria-hidden /> Projects
          </NavLink>
          <NavLink to="/services" className={navClass}>
            <Database size={16} aria-hidden /> Services
          </NavLink>
          <NavLink to="/backups" className={navClass}>
            <DatabaseBackup size={16} aria-hidden /> Backups
          </NavLink>
          <NavLink to="/destinations" className={navClass}>
            <Archive size={16} aria-hidden /> Backup destinations
          </NavLink>
          <div className="section">Team</div>
          <NavLink to="/team" className={navClass}>
            <Users size={16} aria-hidden /> Team
          </NavLink>
          {can("admin") && (
            <NavLink to="/audit" className={navClass}>
              <ScrollText size={16} aria-hidden /> Audit log
            </NavLink>
          )}
          {isInstanceAdmin && (
            <NavLink to="/admin" className={navClass}>
              <Shield size={16} aria-hidden /> Administration
            </NavLink>
          )}
        </nav>
        <nav className="nav" aria-label="Account" style={{ flex: "none" }}>
          <NavLink to="/account" className={navClass}>
            <UserRound size={16} aria-hidden /> {user?.display_name ?? "Account"}
          </NavLink>
          <button type="button" className="btn btn-ghost" onClick={() => void signOut()}>
            Sign out
          </button>
        </nav>
      </aside>
      <main className="main" id="main">
        <Suspense key={location.pathname.split("/")[1]} fallback={<div aria-busy="true" className="skeleton" style={{ height: 240 }} />}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}
