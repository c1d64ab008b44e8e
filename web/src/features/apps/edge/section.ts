import type { EdgeForm } from "./edgeForm";
import type { ErrorPlace } from "./edgeErrors";

/// What every card of the Edge tab gets: the form, a way to change it, whether the user may
/// (members and up; viewers read), and where the last 400 points.
export interface SectionProps {
  form: EdgeForm;
  update: (change: (form: EdgeForm) => EdgeForm) => void;
  editable: boolean;
  place: ErrorPlace | null;
}
