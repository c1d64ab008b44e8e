import { lazy } from "react";
import type { RouteObject } from "react-router-dom";

const AppListPage = lazy(() => import("./AppListPage"));
const NewAppPage = lazy(() => import("./new/NewAppPage"));
const AppLayout = lazy(() => import("./detail/AppLayout"));
const AppOverview = lazy(() => import("./detail/AppOverview"));
const AppDeployments = lazy(() => import("./detail/AppDeployments"));
const AppLogs = lazy(() => import("./detail/AppLogs"));
const AppEnv = lazy(() => import("./detail/AppEnv"));
const AppSettings = lazy(() => import("./detail/AppSettings"));
const DomainsTab = lazy(() => import("./domains/DomainsTab"));
const EdgeTab = lazy(() => import("./edge/EdgeTab"));
const AppLinksTab = lazy(() => import("../services/AppLinksTab"));
const DeploymentPage = lazy(() => import("./deployments/DeploymentPage"));
const ProjectListPage = lazy(() => import("./projects/ProjectListPage"));
const ProjectLayout = lazy(() => import("./projects/ProjectLayout"));
const ProjectApps = lazy(() => import("./projects/ProjectApps"));
const ProjectEnv = lazy(() => import("./projects/ProjectEnv"));
const ProjectSettings = lazy(() => import("./projects/ProjectSettings"));

/// The apps, deployments and projects pages (lazy: each loads when first visited).
export const appRoutes: RouteObject[] = [
  { path: "apps", element: <AppListPage /> },
  { path: "apps/new", element: <NewAppPage /> },
  {
    path: "apps/:id",
    element: <AppLayout />,
    children: [
      { index: true, element: <AppOverview /> },
      { path: "deployments", element: <AppDeployments /> },
      { path: "logs", element: <AppLogs /> },
      { path: "env", element: <AppEnv /> },
      { path: "domains", element: <DomainsTab /> },
      { path: "edge", element: <EdgeTab /> },
      { path: "services", element: <AppLinksTab /> },
      { path: "settings", element: <AppSettings /> },
    ],
  },
  { path: "deployments/:id", element: <DeploymentPage /> },
  { path: "projects", element: <ProjectListPage /> },
  {
    path: "projects/:id",
    element: <ProjectLayout />,
    children: [
      { index: true, element: <ProjectApps /> },
      { path: "env", element: <ProjectEnv /> },
      { path: "settings", element: <ProjectSettings /> },
    ],
  },
];
