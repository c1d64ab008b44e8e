// Your own account: who you are, your password, two-factor sign-in and where you are signed in.
import { Suspense } from "react";
import { Outlet } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";
import { PageHeader } from "../../components/PageHeader";
import { Tabs } from "../../components/Tabs";
import "./account.css";

const tabs = [
  { to: "/account", label: "Profile" },
  { to: "/account/password", label: "Password" },
  { to: "/account/two-factor", label: "Two-factor" },
  { to: "/account/sessions", label: "Sessions" },
];

export function AccountPage() {
  const { user } = useAuth();
  return (
    <>
      <PageHeader title="Account" subtitle={user?.email} />
      <Tabs tabs={tabs} label="Account" />
      <Suspense fallback={<div className="skeleton" aria-busy="true" style={{ height: 240 }} />}>
        <Outlet />
      </Suspense>
    </>
  );
}
