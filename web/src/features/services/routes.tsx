import { lazy } from "react";
import type { RouteObject } from "react-router-dom";

const ServiceListPage = lazy(() => import("./ServiceListPage"));
const NewServicePage = lazy(() => import("./NewServicePage"));
const ServiceLayout = lazy(() => import("./ServiceLayout"));
const ServiceOverview = lazy(() => import("./ServiceOverview"));
const ServiceLogs = lazy(() => import("./ServiceLogs"));
const ServiceBackups = lazy(() => import("./ServiceBackups"));
const ServiceSettings = lazy(() => import("./ServiceSettings"));

/// The managed services' pages (lazy: each loads when first visited). An app's links are a
/// tab of the app (apps/routes.tsx).
export const serviceRoutes: RouteObject[] = [
  { path: "services", element: <ServiceListPage /> },
  { path: "services/new", element: <NewServicePage /> },
  {
    path: "services/:id",
    element: <ServiceLayout />,
    children: [
      { index: true, element: <ServiceOverview /> },
      { path: "logs", element: <ServiceLogs /> },
      { path: "backups", element: <ServiceBackups /> },
      { path: "settings", element: <ServiceSettings /> },
    ],
  },
];
