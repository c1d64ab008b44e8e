import { useState, type FormEvent } from "react";

/// A form's submit: runs `action` once at a time, with `busy` while it runs and the failure
/// (the API's error) kept in `error` for the form to show.
export function useSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, submit };
}
