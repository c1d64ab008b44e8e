// An accessible modal on the browser's own <dialog>: showModal() traps focus, makes the page
// behind inert, closes on Escape and gives focus back on close. No library: the one we had
// (Radix) injected <style> elements for its scroll lock, which berthd's CSP refuses, and
// weighed more than every view of the dashboard together.
import { useId, useLayoutEffect, useRef, type ReactNode } from "react";
import { createPortal } from "react-dom";

export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  if (!open) return null;
  return createPortal(
    <OpenDialog onClose={() => onOpenChange(false)} title={title} description={description}>
      {children}
    </OpenDialog>,
    document.body,
  );
}

function OpenDialog({ onClose, title, description, children }: { onClose: () => void; title: string; description?: ReactNode; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useLayoutEffect(() => {
    const element = dialog.current;
    if (!element) return;
    element.showModal();
    // Closing while still in the page returns focus to what opened the dialog.
    return () => element.close();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      // Escape: the parent decides (it unmounts us), the browser does not close on its own.
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      // A click on the dialog element itself is a click on the backdrop around the body.
      onMouseDown={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
    >
      <div className="dialog-body">
        <h2 id={titleId}>{title}</h2>
        {description && (
          <div id={descriptionId} className="muted dialog-description">
            {description}
          </div>
        )}
        {children}
      </div>
    </dialog>
  );
}
