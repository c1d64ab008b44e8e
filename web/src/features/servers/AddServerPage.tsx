import { Link, useSearchParams } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { PageHeader } from "../../components/PageHeader";
import { InstallTokenPanel } from "./InstallTokenPanel";
import { SshAdoptForm } from "./SshAdoptForm";
import "./servers.css";

const methods = [
  { key: "install", label: "Install command" },
  { key: "ssh", label: "SSH" },
] as const;

/// Add a server (admin): the install command or SSH adoption; ?method= makes each linkable.
export default function AddServerPage() {
  const { can } = useAuth();
  const [params] = useSearchParams();
  const method = params.get("method") === "ssh" ? "ssh" : "install";
  return (
    <>
      <PageHeader title="Add a server" subtitle={<Link to="/servers">All servers</Link>} />
      {!can("admin") ? (
        <p className="notice">Only an admin of this team adds servers.</p>
      ) : (
        <>
          <nav className="tabs" aria-label="How to add the server">
            {methods.map((m) => (
              <Link key={m.key} to={`/servers/new?method=${m.key}`} replace className={m.key === method ? "active" : ""} aria-current={m.key === method ? "page" : undefined}>
                {m.label}
              </Link>
            ))}
          </nav>
          {method === "install" ? <InstallTokenPanel /> : <SshAdoptForm />}
        </>
      )}
    </>
  );
}
