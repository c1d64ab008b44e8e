// Who you are here. berthd has no route to change your name or email yet (no PATCH /me),
// so this is read-only and says whom to ask.
import { useAuth } from "../../auth/AuthContext";
import { RelativeTime } from "../../components/Time";

export function ProfileTab() {
  const { user, memberships, isInstanceAdmin } = useAuth();
  if (!user) return null;
  return (
    <section className="card account-section" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl className="kv">
        <dt>Name</dt>
        <dd>{user.display_name}</dd>
        <dt>Email</dt>
        <dd>{user.email}</dd>
        <dt>Member since</dt>
        <dd>
          <RelativeTime at={user.created_at} />
        </dd>
        <dt>Two-factor</dt>
        <dd>{user.totp_enabled ? "On" : "Off"}</dd>
        {isInstanceAdmin && (
          <>
            <dt>Role</dt>
            <dd>Instance administrator</dd>
          </>
        )}
        <dt>Teams</dt>
        <dd>
          {memberships.map((m) => (
            <div key={m.team?.id}>
              {m.team?.personal ? `${m.team?.name} (personal)` : m.team?.name} <span className="badge">{m.role}</span>
            </div>
          ))}
        </dd>
      </dl>
      <p className="muted" style={{ marginTop: "var(--space-4)", marginBottom: 0 }}>
        Your name and email cannot be changed here yet; an instance administrator can help.
      </p>
    </section>
  );
}
