import type { RouteObject } from "react-router-dom";

/// The team pages (lazy: each loads when first visited).
export const teamRoutes: RouteObject[] = [];
