import type { RouteObject } from "react-router-dom";

/// The account pages (lazy: each loads when first visited).
export const accountRoutes: RouteObject[] = [];
