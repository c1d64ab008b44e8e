import type { RouteObject } from "react-router-dom";

/// The servers pages (lazy: each loads when first visited).
export const serverRoutes: RouteObject[] = [];
