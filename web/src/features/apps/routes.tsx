import type { RouteObject } from "react-router-dom";

/// The apps pages (lazy: each loads when first visited).
export const appRoutes: RouteObject[] = [];
