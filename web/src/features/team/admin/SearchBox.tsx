import { useEffect, useState } from "react";
import { useSearchParams } from "react-router-dom";

/// A list's ?q= search, kept in the URL; applying it goes back to the first page.
export function SearchBox({ label, placeholder }: { label: string; placeholder: string }) {
  const [search, setSearch] = useSearchParams();
  const current = search.get("q") ?? "";
  const [draft, setDraft] = useState(current);
  useEffect(() => setDraft(current), [current]);
  return (
    <form
      role="search"
      className="team-toolbar"
      onSubmit={(event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        if (draft.trim()) next.set("q", draft.trim());
        setSearch(next);
      }}
    >
      <div className="field">
        <label htmlFor="admin-search">{label}</label>
        <input id="admin-search" className="input" type="search" maxLength={200} placeholder={placeholder} value={draft} onChange={(e) => setDraft(e.target.value)} />
      </div>
      <button type="submit" className="btn">
        Search
      </button>
    </form>
  );
}
