import { useEffect, useState } from "react";

/// `value`, once it has stopped changing for `ms`: a search box asks the API after a pause in
/// typing, not on every key.
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
