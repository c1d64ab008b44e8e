// The dashboard's one route table. Each area lists its own pages in features/<area>/routes.tsx
// (lazy, so the sign-in page does not carry the rest); this file only puts them together.
import { QueryClientProvider } from "@tanstack/react-query";
import { Suspense, useState } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, type RouteObject } from "react-router-dom";
import { AuthProvider } from "./auth/AuthContext";
import { RequireAuth } from "./auth/RequireAuth";
import { Layout } from "./components/Layout";
import { ToastProvider } from "./components/Toast";
import { makeQueryClient } from "./queryClient";
import { publicRoutes } from "./features/auth/routes";
import { accountRoutes } from "./features/account/routes";
import { serverRoutes } from "./features/servers/routes";
import { appRoutes } from "./features/apps/routes";
import { serviceRoutes } from "./features/services/routes";
import { teamRoutes } from "./features/team/routes";
import { destinationRoutes } from "./features/destinations/routes";
import { backupRoutes } from "./features/backups/routes";
import { NotFound } from "./features/NotFound";

const queryClient = makeQueryClient();

function Root() {
  return (
    <AuthProvider>
      <ToastProvider>
        <Suspense fallback={<div className="auth-page" aria-busy="true" />}>
          <Outlet />
        </Suspense>
      </ToastProvider>
    </AuthProvider>
  );
}

export const routes: RouteObject[] = [
  {
    element: <Root />,
    children: [
      ...publicRoutes,
      {
        element: (
          <RequireAuth>
            <Layout />
          </RequireAuth>
        ),
        children: [
          { index: true, element: <Navigate to="/servers" replace /> },
          ...serverRoutes,
          ...appRoutes,
          ...serviceRoutes,
          ...teamRoutes,
          ...backupRoutes,
          ...destinationRoutes,
          ...accountRoutes,
          { path: "*", element: <NotFound /> },
        ],
      },
    ],
  },
];

export function App() {
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
