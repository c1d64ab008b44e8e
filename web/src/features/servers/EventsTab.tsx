import { EmptyState } from "../../components/EmptyState";
import { RelativeTime } from "../../components/Time";
import { describeEvent } from "./serverEvents";
import { useServerPage } from "./ServerPage";

/// The server's events as they arrive (the stream is opened by the server page, so the list
/// keeps what arrived while another tab was open).
export default function EventsTab() {
  const { events } = useServerPage();
  if (events.length === 0) {
    return (
      <EmptyState title="Listening for events">
        Status changes, agent connections and the agent's reports (Docker up or down, a disk filling up) appear here as
        they happen.
      </EmptyState>
    );
  }
  return (
    <section aria-label="Server events">
      <ol className="event-list card" aria-live="polite">
        {events.map((e) => (
          <li key={`${e.seq}-${e.at}-${e.kind}`}>
            <span className="muted small">
              <RelativeTime at={e.at} />
            </span>
            <span className="mono small">{e.kind}</span>
            <span>{describeEvent(e)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
