import { describe, expect, it } from "vitest";
import { draftToInput, editDraft, MASK, pastedToInputs, rowView } from "./envModel";

const secretVar = { key: "DB_URL", value: MASK, secret: true, inherited_from: null, updated_at: "" };
const plainVar = { key: "LOG", value: "info", secret: false, inherited_from: null, updated_at: "" };
const inherited = { key: "REGION", value: MASK, secret: true, inherited_from: "project" as const, updated_at: "" };

describe("rowView", () => {
  it("masks a secret and lets only admins reveal it", () => {
    expect(rowView(secretVar, {}, { isAdmin: true, canEdit: true })).toMatchObject({ shown: MASK, masked: true, canReveal: true });
    expect(rowView(secretVar, {}, { isAdmin: false, canEdit: true })).toMatchObject({ masked: true, canReveal: false });
  });

  it("shows a revealed secret's value and no longer offers to reveal it", () => {
    expect(rowView(secretVar, { DB_URL: "postgres://x" }, { isAdmin: true, canEdit: true })).toMatchObject({ shown: "postgres://x", masked: false, canReveal: false });
  });

  it("shows plain values as they are", () => {
    expect(rowView(plainVar, {}, { isAdmin: false, canEdit: false })).toMatchObject({ shown: "info", masked: false, canReveal: false, canDelete: false });
  });

  it("never offers to delete an inherited var", () => {
    expect(rowView(inherited, {}, { isAdmin: true, canEdit: true })).toMatchObject({ inherited: true, canDelete: false });
  });
});

describe("editing", () => {
  it("starts an unrevealed secret blank and sends the mask back to keep it", () => {
    const draft = editDraft(secretVar, {});
    expect(draft.value).toBe("");
    expect(draftToInput(draft)).toEqual({ input: { key: "DB_URL", value: MASK, secret: true } });
  });

  it("sends a new value for a secret when one is typed", () => {
    expect(draftToInput({ ...editDraft(secretVar, {}), value: "new" })).toEqual({ input: { key: "DB_URL", value: "new", secret: true } });
  });

  it("starts a revealed secret with its value", () => {
    expect(editDraft(secretVar, { DB_URL: "postgres://x" }).value).toBe("postgres://x");
  });

  it("does not keep the old value when a secret becomes plain or is renamed", () => {
    expect(draftToInput({ ...editDraft(secretVar, {}), secret: false })).toEqual({ input: { key: "DB_URL", value: "", secret: false } });
    expect(draftToInput({ ...editDraft(secretVar, {}), key: "OTHER" })).toEqual({ input: { key: "OTHER", value: "", secret: true } });
  });

  it("overriding an inherited secret asks for a value (the mask would be refused)", () => {
    const draft = editDraft(inherited, {});
    expect(draft.editing).toBeNull();
    expect(draftToInput(draft)).toEqual({ input: { key: "REGION", value: "", secret: true } });
  });

  it("refuses invalid keys", () => {
    expect(draftToInput({ key: "1X", value: "", secret: false, editing: null, wasSecret: false })).toHaveProperty("error");
  });

  it("turns pasted vars into inputs with the chosen secret flag", () => {
    expect(pastedToInputs([{ key: "A", value: "1", line: 1 }], true)).toEqual([{ key: "A", value: "1", secret: true }]);
  });
});
