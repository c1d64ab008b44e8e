import type { ReactNode } from "react";

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="auth-page">
      <div className="auth-card">
        <div className="brand" style={{ padding: 0, marginBottom: "var(--space-4)" }}>
          <img src="/favicon.svg" width={24} height={24} alt="" /> Berth
        </div>
        <h1>{title}</h1>
        {children}
      </div>
    </main>
  );
}
