import { lazy } from "react";
import type { RouteObject } from "react-router-dom";

const BackupsPage = lazy(() => import("./BackupsPage"));

/// The team-wide list of service backups (lazy: loads when first visited). A service's own
/// backups, with Back up now and Restore, are a tab of the service (services/routes.tsx).
export const backupRoutes: RouteObject[] = [{ path: "backups", element: <BackupsPage /> }];
