// /services/:id — the service's header (name, engine, status, start/stop/restart) and its tabs,
// each its own URL. The service is polled while an operation runs, so the status moves by itself.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useOutletContext, useParams } from "react-router-dom";
import { api, call } from "../../api/client";
import { messageOf } from "../../api/errors";
import { useCan } from "../../auth/AuthContext";
import { ErrorText } from "../../components/ErrorText";
import { PageHeader } from "../../components/PageHeader";
import { StatusDot } from "../../components/StatusDot";
import { Tabs } from "../../components/Tabs";
import { useToast } from "../../components/Toast";
import { useTeamId } from "../apps/shared/queries";
import { serviceKeys, useService } from "./queries";
import { engineLabel, isBusy } from "./serviceForm";
import type { Service } from "./types";
import "../apps/apps.css";

export function useServiceOutlet() {
  return useOutletContext<{ service: Service }>();
}

export default function ServiceLayout() {
  const { id = "" } = useParams();
  const service = useService(id);
  if (service.error) return <ErrorText error={service.error} />;
  if (!service.data) return <div className="skeleton" style={{ height: 120 }} aria-busy="true" />;
  const s = service.data;
  const base = `/services/${id}`;
  return (
    <>
      <PageHeader
        title={s.name}
        subtitle={
          <span className="row">
            <StatusDot status={s.status ?? "new"} />
            <span>
              {engineLabel(s.engine)} {s.version}
            </span>
            <Link to="/services">All services</Link>
          </span>
        }
        actions={<ServiceActions service={s} />}
      />
      {s.status === "failed" && s.status_message && <ErrorText>{s.status_message}</ErrorText>}
      <Tabs
        label="Service"
        tabs={[
          { to: base, label: "Overview" },
          { to: `${base}/logs`, label: "Logs" },
          { to: `${base}/backups`, label: "Backups" },
          { to: `${base}/settings`, label: "Settings" },
        ]}
      />
      <Outlet context={{ service: s }} />
    </>
  );
}

type Action = "start" | "stop" | "restart";
const started: Record<Action, string> = { start: "Starting", stop: "Stopping", restart: "Restarting" };

/// Start, stop and restart; viewers see none (each needs member), and none while one runs.
export function ServiceActions({ service }: { service: Service }) {
  const canAct = useCan("member");
  const team = useTeamId();
  const queryClient = useQueryClient();
  const toast = useToast();
  const id = service.id ?? "";
  const action = useMutation({
    mutationFn: (what: Action) => {
      const params = { params: { path: { id } } };
      if (what === "start") return call(api.POST("/api/v1/services/{id}/start", params));
      if (what === "stop") return call(api.POST("/api/v1/services/{id}/stop", params));
      return call(api.POST("/api/v1/services/{id}/restart", params));
    },
    onSuccess: (answer, what) => {
      toast(`${started[what]} ${service.name}`);
      queryClient.setQueryData(serviceKeys.service(team, id), answer);
      void queryClient.invalidateQueries({ queryKey: serviceKeys.all(team) });
    },
    onError: (error) => toast(messageOf(error), "error"),
  });
  if (!canAct) return null;
  const status = service.status ?? "new";
  const disabled = action.isPending || isBusy(status);
  return (
    <>
      {(status === "stopped" || status === "failed") && (
        <button type="button" className="btn" disabled={disabled} onClick={() => action.mutate("start")}>
          Start
        </button>
      )}
      {status !== "stopped" && (
        <button type="button" className="btn" disabled={disabled} onClick={() => action.mutate("restart")}>
          Restart
        </button>
      )}
      {status === "running" && (
        <button type="button" className="btn" disabled={disabled} onClick={() => action.mutate("stop")}>
          Stop
        </button>
      )}
    </>
  );
}
