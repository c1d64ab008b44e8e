// Who gets through: an IP allow-list (403 to others) and HTTP basic auth users. Passwords
// are write-only: an existing user shows "set" and may get a new one or be removed.
import { useId, useState } from "react";
import { FieldError } from "../domains/FieldError";
import { messageFor, rowControl, type ErrorPlace } from "./edgeErrors";
import { newKey, type UserRow } from "./edgeForm";
import { LinesField } from "./LinesField";
import type { SectionProps } from "./section";

export function AccessCard({ form, update, editable, place }: SectionProps) {
  const id = useId();
  const setUsers = (change: (users: UserRow[]) => UserRow[]) => update((f) => ({ ...f, users: change(f.users) }));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Access</h2>
      <LinesField
        label="IP allow-list"
        hint="One CIDR or address a line, IPv4 or IPv6 (203.0.113.0/24, 2001:db8::/32). Others get 403. Empty: everyone. Behind a CDN, this is the CDN's address."
        placeholder="203.0.113.0/24"
        value={form.allowIps}
        onChange={(allowIps) => update((f) => ({ ...f, allowIps }))}
        disabled={!editable}
        error={messageFor(place, "allow_ips")}
      />
      <h3>Basic auth users</h3>
      <p className="muted">With users listed, visitors must sign in (401 until they do). Use it over HTTPS: the password travels with every request.</p>
      {form.users.length === 0 && <p className="muted">No users: no password asked.</p>}
      <ul className="edge-rows">
        {form.users.map((u) => (
          <UserItem key={u.key} user={u} editable={editable} place={place} onChange={(next) => setUsers((all) => all.map((x) => (x.key === u.key ? { ...x, ...next } : x)))} onRemove={() => setUsers((all) => all.filter((x) => x.key !== u.key))} />
        ))}
      </ul>
      <FieldError id={`${id}-users-error`} message={messageFor(place, "basic_auth.users")} />
      {editable && (
        <button type="button" className="btn btn-sm" onClick={() => setUsers((all) => [...all, { key: newKey(), username: "", hasPassword: false, password: "" }])}>
          Add user
        </button>
      )}
    </section>
  );
}

function UserItem({ user, editable, place, onChange, onRemove }: { user: UserRow; editable: boolean; place: ErrorPlace | null; onChange: (next: Partial<UserRow>) => void; onRemove: () => void }) {
  const id = useId();
  const [replacing, setReplacing] = useState(false);
  const existing = user.hasPassword;
  const name = user.username || "new user";
  const error = messageFor(place, user.key);
  const aria = (sub: string) => rowControl(place, user.key, sub, `${id}-error`);
  return (
    <li className="edge-row edge-user">
      {existing ? (
        <span className="mono edge-username">{user.username}</span>
      ) : (
        <span className="field">
          <label htmlFor={`${id}-name`}>User name</label>
          <input id={`${id}-name`} className="input" autoComplete="off" disabled={!editable} value={user.username} {...aria("username")} onChange={(e) => onChange({ username: e.target.value })} />
        </span>
      )}
      {existing && !replacing && <span className="badge badge-ok">password set</span>}
      {(!existing || replacing) && editable && (
        <span className="field">
          <label htmlFor={`${id}-password`}>{existing ? `New password for ${user.username}` : "Password"}</label>
          <input id={`${id}-password`} className="input" type="password" autoComplete="new-password" value={user.password} {...aria("password")} onChange={(e) => onChange({ password: e.target.value })} />
        </span>
      )}
      {editable && (
        <span className="row edge-row-actions">
          {existing && (
            <button type="button" className="btn btn-sm" onClick={() => { if (replacing) onChange({ password: "" }); setReplacing(!replacing); }}>
              {replacing ? "Keep the current password" : "Replace password"}<span className="sr-only"> of {name}</span>
            </button>
          )}
          <button type="button" className="btn btn-sm btn-danger" onClick={onRemove}>Remove<span className="sr-only"> user {name}</span></button>
        </span>
      )}
      <FieldError id={`${id}-error`} message={error} />
    </li>
  );
}
