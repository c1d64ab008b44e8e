// Shared bits of the team area's lists: a skeleton the height of the table it stands for
// (so the page does not jump when rows arrive) and the notice for a tab above one's role.
import { ShieldAlert } from "lucide-react";

export function TableSkeleton({ rows = 5, label }: { rows?: number; label: string }) {
  // 37 px is one table row with its border; 34 px the header.
  return <div className="skeleton" aria-busy="true" aria-label={`Loading ${label}`} style={{ height: 34 + rows * 37 }} />;
}

export function RoleRequired({ what, role }: { what: string; role: string }) {
  return (
    <div className="empty card" role="note">
      <ShieldAlert size={20} aria-hidden />
      <h3>{what} is for team {role}s</h3>
      <p>Ask an {role} or the owner of this team if you need it.</p>
    </div>
  );
}
