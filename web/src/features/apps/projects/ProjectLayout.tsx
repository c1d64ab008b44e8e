// /projects/:id — header and tabs (Apps, Env, Settings), each its own URL.
import { useQuery } from "@tanstack/react-query";
import { Link, Outlet, useOutletContext, useParams } from "react-router-dom";
import { api, call } from "../../../api/client";
import { useCan } from "../../../auth/AuthContext";
import { ErrorText } from "../../../components/ErrorText";
import { PageHeader } from "../../../components/PageHeader";
import { Tabs } from "../../../components/Tabs";
import { keys, useTeamId } from "../shared/queries";
import type { Project } from "../shared/types";

export function useProjectOutlet() {
  return useOutletContext<{ project: Project }>();
}

export default function ProjectLayout() {
  const { id = "" } = useParams();
  const team = useTeamId();
  const canCreate = useCan("member");
  const project = useQuery({ queryKey: keys.project(team, id), queryFn: () => call(api.GET("/api/v1/projects/{id}", { params: { path: { id } } })) });
  if (project.error) return <ErrorText error={project.error} />;
  if (!project.data) return <div className="skeleton" style={{ height: 120 }} aria-busy="true" />;
  const base = `/projects/${id}`;
  return (
    <>
      <PageHeader
        title={project.data.name}
        subtitle={project.data.description || undefined}
        actions={canCreate && <Link className="btn btn-primary" to={`/apps/new?project=${id}`}>Create an app here</Link>}
      />
      <Tabs label="Project" tabs={[{ to: base, label: "Apps" }, { to: `${base}/env`, label: "Env" }, { to: `${base}/settings`, label: "Settings" }]} />
      <Outlet context={{ project: project.data }} />
    </>
  );
}
