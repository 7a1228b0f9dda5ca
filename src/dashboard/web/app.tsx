/** The dashboard page: the building, the peers, the event log and (in the demo) the controls. */
import { useCallback, useState } from 'preact/hooks';
import type { MonitorSnapshot } from '../view-model.js';
import { Building } from './building.js';
import { DemoPanel } from './demo-panel.js';
import { EventLog } from './event-log.js';
import { Peers } from './peers.js';
import { useEventSource } from './use-event-source.js';

export function App() {
  const [snapshot, setSnapshot] = useState<MonitorSnapshot | null>(null);
  const onData = useCallback((data: unknown) => setSnapshot(data as MonitorSnapshot), []);
  const stream = useEventSource('api/stream', 'snapshot', onData);

  const view = snapshot?.view;
  const alive = view?.nodes.filter((n) => n.status === 'alive').length ?? 0;
  const rejected = Object.entries(view?.traffic.rejected ?? {}).filter(([, n]) => n > 0);

  return (
    <div class="page">
      <header class="top">
        <h1>
          elevator-mesh <span class="subtitle">live</span>
        </h1>
        <div class="top-facts">
          <span>
            {alive} / {view?.nodes.length ?? 0} nodes alive
          </span>
          <span>{view?.floors ?? 0} floors</span>
          <span>assigner: {snapshot?.assigner ?? '…'}</span>
          <span class={`conn conn-${stream}`} data-testid="connection" data-state={stream}>
            <span class="dot" />
            {stream === 'live' ? 'live' : 'reconnecting…'}
          </span>
        </div>
      </header>
      {view === undefined ? (
        <p class="empty">Connecting to the monitor…</p>
      ) : (
        <main class="layout">
          <section class="left">
            <Building view={view} />
            {snapshot?.demo != null && (
              <DemoPanel simulators={snapshot.demo.simulators} nodes={view.nodes} />
            )}
          </section>
          <aside class="right">
            <Peers nodes={view.nodes} />
            <EventLog entries={view.log} />
            <footer class="traffic">
              {view.traffic.accepted} messages heard
              {rejected.length > 0 && (
                <span class="rejected">
                  {' · rejected: '}
                  {rejected.map(([code, n]) => `${code} ${n}`).join(', ')}
                </span>
              )}
            </footer>
          </aside>
        </main>
      )}
    </div>
  );
}
