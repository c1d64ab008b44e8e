import { lazy } from "react";
import type { RouteObject } from "react-router-dom";

const DestinationsPage = lazy(() => import("./DestinationsPage"));

/// Backup destinations (lazy: loads when first visited).
export const destinationRoutes: RouteObject[] = [{ path: "destinations", element: <DestinationsPage /> }];
