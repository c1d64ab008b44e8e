import { useState } from "react";
import { AppTable } from "../AppListPage";
import { useProjectOutlet } from "./ProjectLayout";

export default function ProjectApps() {
  const { project } = useProjectOutlet();
  const [page, setPage] = useState(1);
  return <AppTable page={page} q="" projectId={project.id ?? ""} onPage={setPage} />;
}
