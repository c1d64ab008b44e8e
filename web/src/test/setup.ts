import "@testing-library/jest-dom/vitest";
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";

afterEach(() => {
  cleanup();
  localStorage.clear();
});

// jsdom has <dialog> but not its modal methods. Like a browser's modal, the polyfill hides the
// rest of the page from the accessibility tree (Testing Library queries) while it is open.
if (typeof HTMLDialogElement !== "undefined" && !HTMLDialogElement.prototype.showModal) {
  const hidden = new WeakMap<HTMLDialogElement, Element[]>();
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.open = true;
    const others = [...document.body.children].filter((e) => !e.contains(this) && !e.hasAttribute("aria-hidden"));
    for (const e of others) e.setAttribute("aria-hidden", "true");
    hidden.set(this, others);
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.open = false;
    for (const e of hidden.get(this) ?? []) e.removeAttribute("aria-hidden");
    hidden.delete(this);
  };
}
