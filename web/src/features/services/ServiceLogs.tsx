// The service's Logs tab: its container's output, like an app's (tail, Follow, reload).
import { LogsPanel } from "../apps/detail/AppLogs";
import { useServiceOutlet } from "./ServiceLayout";

export default function ServiceLogs() {
  const { service } = useServiceOutlet();
  if (service.status === "new" || service.status === "stopped" || service.status === "deleting") {
    return <p className="notice">The service is {service.status}: there is no running container to read logs from.</p>;
  }
  return <LogsPanel path={`/api/v1/services/${service.id ?? ""}/logs`} name={service.name ?? ""} />;
}
