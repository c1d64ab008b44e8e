import { EnvEditor } from "../env/EnvEditor";
import { useProjectOutlet } from "./ProjectLayout";

export default function ProjectEnv() {
  const { project } = useProjectOutlet();
  return <EnvEditor owner={{ kind: "projects", id: project.id ?? "" }} ownerName={project.name ?? "the project"} />;
}
