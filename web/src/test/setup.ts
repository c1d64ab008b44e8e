import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// happy-dom opens a modal <dialog> but leaves the rest of the page in the accessibility tree.
// Like a browser's modal, this hides it from Testing Library's queries while the dialog is open.
if (typeof HTMLDialogElement !== "undefined") {
  const hidden = new WeakMap<HTMLDialogElement, Element[]>();
  const { showModal: openModal, close: closeDialog } = HTMLDialogElement.prototype;
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    if (openModal) openModal.call(this);
    else this.open = true;
    const others = [...document.body.children].filter((e) => !e.contains(this) && !e.hasAttribute("aria-hidden"));
    for (const e of others) e.setAttribute("aria-hidden", "true");
    hidden.set(this, others);
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    if (closeDialog) closeDialog.call(this);
    else this.open = false;
    for (const e of hidden.get(this) ?? []) e.removeAttribute("aria-hidden");
    hidden.delete(this);
  };
}
