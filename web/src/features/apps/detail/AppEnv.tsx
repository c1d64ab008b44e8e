// The app's Env tab. On a guarded app only admins change env vars (apps.md, deploy policy).
import { useCan } from "../../../auth/AuthContext";
import { EnvEditor } from "../env/EnvEditor";
import { isGuarded } from "../shared/queries";
import { useAppOutlet } from "./AppLayout";

export default function AppEnv() {
  const { app } = useAppOutlet();
  const isAdmin = useCan("admin");
  const locked = isGuarded(app) && !isAdmin;
  return (
    <EnvEditor
      owner={{ kind: "apps", id: app.id ?? "" }}
      ownerName={app.name ?? "the app"}
      readOnlyReason={locked ? "This app runs host commands, privileged or host-networked containers or host mounts: only a team admin may change its env vars." : undefined}
    />
  );
}
