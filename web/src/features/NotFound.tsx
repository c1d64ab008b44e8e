import { Link } from "react-router-dom";
import { EmptyState } from "../components/EmptyState";

export function NotFound() {
  return (
    <EmptyState title="Nothing here" action={<Link to="/servers">Go to servers</Link>}>
      This page does not exist, or it belongs to another team.
    </EmptyState>
  );
}
