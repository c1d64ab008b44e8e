import type { RouteObject } from "react-router-dom";

// Each page module default-exports its component; it loads when first visited.
const page = (load: () => Promise<{ default: React.ComponentType }>) => async () => ({ Component: (await load()).default });

/// The servers pages (lazy: each loads when first visited).
export const serverRoutes: RouteObject[] = [
  { path: "servers", lazy: page(() => import("./ServersListPage")) },
  { path: "servers/new", lazy: page(() => import("./AddServerPage")) },
  {
    path: "servers/:id",
    lazy: page(() => import("./ServerPage")),
    children: [
      { index: true, lazy: page(() => import("./OverviewTab")) },
      { path: "events", lazy: page(() => import("./EventsTab")) },
      { path: "containers", lazy: page(() => import("./ContainersTab")) },
      { path: "jobs", lazy: page(() => import("./JobsTab")) },
      { path: "proxy", lazy: page(() => import("./ProxyTab")) },
      { path: "settings", lazy: page(() => import("./SettingsTab")) },
    ],
  },
  { path: "jobs/:id", lazy: page(() => import("./JobPage")) },
];
