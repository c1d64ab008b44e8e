import type { RouteObject } from "react-router-dom";

/// Pages reachable without a session (lazy, so the sign-in page carries only itself). The
/// paths match the links berthd puts in its emails: /invite#<token> and /reset-password?token=.
export const publicRoutes: RouteObject[] = [
  { path: "/signin", lazy: () => import("./SignInPage").then((m) => ({ Component: m.SignInPage })) },
  { path: "/setup", lazy: () => import("./SetupPage").then((m) => ({ Component: m.SetupPage })) },
  { path: "/invite", lazy: () => import("./InvitationPage").then((m) => ({ Component: m.InvitationPage })) },
  { path: "/forgot-password", lazy: () => import("./ForgotPasswordPage").then((m) => ({ Component: m.ForgotPasswordPage })) },
  { path: "/reset-password", lazy: () => import("./ResetPasswordPage").then((m) => ({ Component: m.ResetPasswordPage })) },
];
