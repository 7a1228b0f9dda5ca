/** The scrolling event log, newest at the bottom; it follows new entries unless scrolled up. */
import { useEffect, useRef } from 'preact/hooks';
import type { LogEntry, LogKind } from '../view-model.js';

const ICON: Record<LogKind, string> = {
  call: '☎',
  served: '✓',
  arrival: '⇥',
  peerJoined: '+',
  peerLost: '✕',
  peerRejoined: '↺',
  restart: '↻',
  peerView: '⇄',
  reassigned: '⇆',
  service: '⚠',
  demo: '▶',
};

function time(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function EventLog(props: { entries: LogEntry[] }) {
  const { entries } = props;
  const box = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const last = entries[entries.length - 1]?.id;
  useEffect(() => {
    const el = box.current;
    if (el !== null && follow.current) el.scrollTop = el.scrollHeight;
  }, [last]);
  return (
    <section class="card log">
      <h2>Events</h2>
      <div
        class="log-box"
        ref={box}
        data-testid="event-log"
        onScroll={() => {
          const el = box.current;
          if (el !== null) follow.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {entries.length === 0 && <p class="empty">Nothing yet.</p>}
        {entries.map((e) => (
          <div class={`log-line kind-${e.kind}`} key={e.id}>
            <span class="log-time">{time(e.at)}</span>
            <span class="log-icon">{ICON[e.kind]}</span>
            <span class="log-text">{e.text}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
