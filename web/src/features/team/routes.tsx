import { lazy } from "react";
import { Navigate, type RouteObject } from "react-router-dom";

// Each page loads when first visited; the tabs of a page share its chunk.
const TeamPage = lazy(() => import("./TeamPage").then((m) => ({ default: m.TeamPage })));
const MembersTab = lazy(() => import("./MembersTab").then((m) => ({ default: m.MembersTab })));
const InvitationsTab = lazy(() => import("./InvitationsTab").then((m) => ({ default: m.InvitationsTab })));
const ApiKeysTab = lazy(() => import("./ApiKeysTab").then((m) => ({ default: m.ApiKeysTab })));
const SettingsTab = lazy(() => import("./SettingsTab").then((m) => ({ default: m.SettingsTab })));
const AuditLogPage = lazy(() => import("./audit/AuditLogPage").then((m) => ({ default: m.AuditLogPage })));
const AdminPage = lazy(() => import("./admin/AdminPage").then((m) => ({ default: m.AdminPage })));
const AdminUsersTab = lazy(() => import("./admin/AdminUsersTab").then((m) => ({ default: m.AdminUsersTab })));
const AdminTeamsTab = lazy(() => import("./admin/AdminTeamsTab").then((m) => ({ default: m.AdminTeamsTab })));
const AdminAuditTab = lazy(() => import("./admin/AdminAuditTab").then((m) => ({ default: m.AdminAuditTab })));
const DoctorTab = lazy(() => import("../doctor/DoctorTab").then((m) => ({ default: m.DoctorTab })));

/// The team pages, the team's audit log and the instance administration.
export const teamRoutes: RouteObject[] = [
  {
    path: "team",
    element: <TeamPage />,
    children: [
      { index: true, element: <Navigate to="members" replace /> },
      { path: "members", element: <MembersTab /> },
      { path: "invitations", element: <InvitationsTab /> },
      { path: "api-keys", element: <ApiKeysTab /> },
      { path: "settings", element: <SettingsTab /> },
    ],
  },
  { path: "audit", element: <AuditLogPage /> },
  {
    path: "admin",
    element: <AdminPage />,
    children: [
      { index: true, element: <Navigate to="users" replace /> },
      { path: "users", element: <AdminUsersTab /> },
      { path: "teams", element: <AdminTeamsTab /> },
      { path: "audit", element: <AdminAuditTab /> },
      { path: "doctor", element: <DoctorTab /> },
    ],
  },
];
