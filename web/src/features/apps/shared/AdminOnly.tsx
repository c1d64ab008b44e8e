/// Marks a control the API keeps for team admins (apps.md "Deploy policy"); shown next to a
/// disabled control so a member knows why it does not move.
export function AdminOnly() {
  return <span className="badge badge-warn admin-only">admin only</span>;
}
