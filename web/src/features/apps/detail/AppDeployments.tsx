// The app's Deployments tab: newest first, paged; each links to its page.
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router-dom";
import { api, call } from "../../../api/client";
import { EmptyState } from "../../../components/EmptyState";
import { ErrorText } from "../../../components/ErrorText";
import { Pagination } from "../../../components/Pagination";
import { StatusDot } from "../../../components/StatusDot";
import { RelativeTime } from "../../../components/Time";
import { keys, useMemberNames, useTeamId } from "../shared/queries";
import { useAppOutlet } from "./AppLayout";
import { artifactLabel } from "./RollbackDialog";
import { DataTable } from "../../../components/DataTable";

const PER_PAGE = 20;

export default function AppDeployments() {
  const { app } = useAppOutlet();
  const team = useTeamId();
  const id = app.id ?? "";
  const [page, setPage] = useState(1);
  const members = useMemberNames();
  const list = useQuery({
    queryKey: [...keys.deployments(team, id), page],
    queryFn: () => call(api.GET("/api/v1/apps/{id}/deployments", { params: { path: { id }, query: { page, per_page: PER_PAGE } } })),
    placeholderData: (previous) => previous,
    refetchInterval: app.status === "deploying" ? 3000 : 15_000,
  });
  if (list.error) return <ErrorText error={list.error} />;
  if (!list.data) return <div className="skeleton" style={{ height: 220 }} aria-busy="true" />;
  const rows = list.data.data ?? [];
  if (rows.length === 0) return <EmptyState title="No deployments yet">Deploy the app from the button above; each deployment shows up here.</EmptyState>;
  return (
    <>
      <DataTable columns={["State", "Deployment", { label: "Artifact", className: "hide-sm" }, { label: "Trigger", className: "hide-sm" }, { label: "By", className: "hide-sm" }, "When"]}>
        {rows.map((d) => (
          <tr key={d.id}>
            <td>
              <StatusDot status={d.state ?? ""} />
              {d.id === app.current_deployment_id && <span className="badge badge-ok" style={{ marginLeft: 8 }}>current</span>}
            </td>
            <td>
              <Link to={`/deployments/${d.id}`} className="mono">
                {d.id}
              </Link>
              {d.error_message && <div className="muted">{d.step}: {d.error_message}</div>}
            </td>
            <td className="hide-sm mono">{artifactLabel(d)}</td>
            <td className="hide-sm">{d.trigger}</td>
            <td className="hide-sm">{members.data?.get(d.created_by ?? "") || d.created_by || "–"}</td>
            <td>
              <RelativeTime at={d.created_at} />
            </td>
          </tr>
        ))}
      </DataTable>
      <Pagination page={page} perPage={PER_PAGE} total={list.data.total ?? 0} onPage={setPage} />
    </>
  );
}
