// What the env editor shows and sends, kept apart from the component so it can be tested:
// secrets arrive masked (********); an admin may reveal one (POST …/reveal, audited); editing a
// secret without revealing it leaves its value blank, and a blank secret is sent back as the
// mask, which berthd reads as "keep the stored value".
import type { EnvInput, EnvVar } from "../shared/types";
import { ENV_KEY, type ParsedVar } from "./dotenv";

export const MASK = "********";

export interface EnvRowView {
  key: string;
  shown: string;
  masked: boolean;
  secret: boolean;
  inherited: boolean;
  canReveal: boolean;
  canDelete: boolean;
}

export function rowView(v: EnvVar, revealed: Record<string, string>, opts: { isAdmin: boolean; canEdit: boolean }): EnvRowView {
  const key = v.key ?? "";
  const secret = v.secret === true;
  const isRevealed = secret && key in revealed;
  return {
    key,
    shown: isRevealed ? revealed[key]! : secret ? MASK : (v.value ?? ""),
    masked: secret && !isRevealed,
    secret,
    inherited: v.inherited_from === "project",
    canReveal: secret && !isRevealed && opts.isAdmin,
    // DELETE removes only the owner's own var; an inherited one is the project's.
    canDelete: opts.canEdit && v.inherited_from !== "project",
  };
}

export interface EnvDraft {
  key: string;
  value: string;
  secret: boolean;
  /// The key being edited (null for a new var); a secret's blank value keeps the stored one.
  editing: string | null;
  wasSecret: boolean;
}

export function newDraft(): EnvDraft {
  return { key: "", value: "", secret: false, editing: null, wasSecret: false };
}

/// The draft for editing a var: a secret's value only if it was revealed, else blank.
export function editDraft(v: EnvVar, revealed: Record<string, string>): EnvDraft {
  const key = v.key ?? "";
  const secret = v.secret === true;
  return {
    key,
    value: secret ? (revealed[key] ?? "") : (v.value ?? ""),
    secret,
    editing: v.inherited_from === "project" ? null : key, // overriding an inherited var adds one
    wasSecret: secret && v.inherited_from !== "project",
  };
}

/// The PATCH entry for a draft, or a message saying what is wrong with it.
export function draftToInput(draft: EnvDraft): { input: EnvInput } | { error: string } {
  const key = draft.key.trim();
  if (!ENV_KEY.test(key)) return { error: "Keys are letters, digits and _, not starting with a digit (at most 128)" };
  if (draft.value.includes("\0")) return { error: "Values may not contain a NUL byte" };
  // The same secret edited without a new value: send the mask so berthd keeps the stored one.
  const keep = draft.wasSecret && draft.secret && draft.editing === key && draft.value === "";
  return { input: { key, value: keep ? MASK : draft.value, secret: draft.secret } };
}

/// Pasted vars as PATCH/PUT entries, all secret or all plain as the user chose.
export function pastedToInputs(vars: ParsedVar[], secret: boolean): EnvInput[] {
  return vars.map((v) => ({ key: v.key, value: v.value, secret }));
}
