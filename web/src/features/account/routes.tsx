import type { RouteObject } from "react-router-dom";

/// The account pages (lazy: each loads when first visited). Every tab has its own URL.
export const accountRoutes: RouteObject[] = [
  {
    path: "/account",
    lazy: () => import("./AccountPage").then((m) => ({ Component: m.AccountPage })),
    children: [
      { index: true, lazy: () => import("./ProfileTab").then((m) => ({ Component: m.ProfileTab })) },
      { path: "password", lazy: () => import("./PasswordTab").then((m) => ({ Component: m.PasswordTab })) },
      { path: "two-factor", lazy: () => import("./TwoFactorTab").then((m) => ({ Component: m.TwoFactorTab })) },
      { path: "sessions", lazy: () => import("./SessionsTab").then((m) => ({ Component: m.SessionsTab })) },
    ],
  },
];
