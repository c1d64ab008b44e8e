// Taking up a team invitation (the emailed link <public_url>/invite#<token>): someone signed in
// accepts it with their account; someone new creates an account (name and password; the email
// is the invited one) and is signed in straight after.
import { useState } from "react";
import { Link, useLocation } from "react-router-dom";
import { api, call } from "../../api/client";
import { ApiError, messageOf } from "../../api/errors";
import { session } from "../../api/session";
import { useAuth } from "../../auth/AuthContext";
import { useAuthState } from "../../auth/RequireAuth";
import { ErrorText } from "../../components/ErrorText";
import { useToast } from "../../components/Toast";
import { AuthCard } from "./AuthCard";
import { forgetInvitationToken, invitationMessage, invitationToken } from "./invitations";
import { RegisterWithInvitation } from "./RegisterWithInvitation";

export function InvitationPage() {
  const location = useLocation();
  const [token] = useState(() => invitationToken(location.hash));
  const state = useAuthState();
  const { me, user } = useAuth();

  if (!token) {
    return (
      <AuthCard title="Invitation link incomplete">
        <p>This page needs the whole link from the invitation email, including the part after “#”.</p>
        <Link to="/signin">Go to sign in</Link>
      </AuthCard>
    );
  }
  if (state.isPending) return <Waiting />;

  const signedIn = state.data?.authenticated === true && session.csrf() !== null;
  if (signedIn && !me) return <Waiting />;
  if (signedIn && user) return <AcceptAsSignedIn token={token} email={user.email ?? ""} />;

  return (
    <AuthCard title="Join a team on Berth">
      <p className="muted">You were invited to a team. Create your account to join it.</p>
      <RegisterWithInvitation token={token} />
      <p className="muted" style={{ marginTop: "var(--space-4)", marginBottom: 0 }}>
        Already have an account with the invited email?{" "}
        <Link to={`/signin?next=${encodeURIComponent("/invite")}`}>Sign in to accept</Link>
      </p>
    </AuthCard>
  );
}

function AcceptAsSignedIn({ token, email }: { token: string; email: string }) {
  const { refresh, switchTeam, signOut } = useAuth();
  const toast = useToast();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const accept = async () => {
    setBusy(true);
    setError(null);
    try {
      const team = await call(api.POST("/api/v1/invitations/accept", { body: { token } }));
      forgetInvitationToken();
      await refresh();
      toast(`You joined ${team.name ?? "the team"} as ${team.role ?? "a member"}.`);
      if (team.id) switchTeam(team.id);
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  const mismatch = error instanceof ApiError && error.code === "invitation_email_mismatch";
  return (
    <AuthCard title="Join a team">
      <p>
        You are signed in as <strong>{email}</strong>. Accept the invitation to join its team with this
        account.
      </p>
      {error !== null && <ErrorText>{invitationMessage(error) ?? messageOf(error)}</ErrorText>}
      <div className="form-actions">
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void accept()}>
          {busy ? "Joining…" : "Accept invitation"}
        </button>
        <button type="button" className={mismatch ? "btn" : "btn btn-ghost"} onClick={() => void signOut()}>
          Sign out to use another account
        </button>
      </div>
    </AuthCard>
  );
}

function Waiting() {
  return (
    <AuthCard title="Invitation">
      <p className="muted" aria-busy="true">
        One moment…
      </p>
    </AuthCard>
  );
}
