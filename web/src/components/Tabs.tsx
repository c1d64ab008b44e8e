import { NavLink } from "react-router-dom";

export interface Tab {
  to: string;
  label: string;
  end?: boolean;
}

/// Tabs are links: every tab has its own URL, so deep links and the back button work.
export function Tabs({ tabs, label }: { tabs: Tab[]; label: string }) {
  return (
    <nav className="tabs" aria-label={label}>
      {tabs.map((tab) => (
        <NavLink key={tab.to} to={tab.to} end={tab.end ?? true} className={({ isActive }) => (isActive ? "active" : "")}>
          {tab.label}
        </NavLink>
      ))}
    </nav>
  );
}
