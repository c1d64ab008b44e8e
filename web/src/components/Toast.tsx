import { createContext, useCallback, useContext, useState, type ReactNode } from "react";

interface ToastItem {
  id: number;
  text: string;
  kind: "info" | "error";
}

const ToastContext = createContext<(text: string, kind?: "info" | "error") => void>(() => {});

/// Success is quiet: a toast that goes away by itself (and is read out by screen readers).
export function useToast() {
  return useContext(ToastContext);
}

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const show = useCallback((text: string, kind: "info" | "error" = "info") => {
    const id = nextId++;
    setItems((all) => [...all.slice(-3), { id, text, kind }]);
    setTimeout(() => setItems((all) => all.filter((item) => item.id !== id)), kind === "error" ? 8000 : 4000);
  }, []);
  return (
    <ToastContext.Provider value={show}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {items.map((item) => (
          <div key={item.id} className={item.kind === "error" ? "toast toast-error" : "toast"}>
            {item.text}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}
