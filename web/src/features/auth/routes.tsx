import type { RouteObject } from "react-router-dom";

/// Pages reachable without a session (lazy, so the sign-in page carries only itself).
export const publicRoutes: RouteObject[] = [
  { path: "/signin", lazy: () => import("./SignInPage").then((m) => ({ Component: m.SignInPage })) },
  { path: "/setup", lazy: () => import("./SetupPage").then((m) => ({ Component: m.SetupPage })) },
];
