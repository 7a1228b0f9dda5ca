/**
 * The demo's controls (shown only when the monitor runs inside `elevator-mesh demo`): one card
 * per simulator, live from its own event stream, with its call buttons (lit as the node set its
 * lamps), obstruction and motor power switches, and the node's kill/restart/disconnect controls.
 * The page talks to each simulator's control API directly (it allows any origin).
 */
import { useCallback, useState } from 'preact/hooks';
import type { SimState } from '../../sim/sim-elevator.js';
import type { DemoSimulatorView, NodeView } from '../view-model.js';
import { colorOf } from './colors.js';
import { useEventSource } from './use-event-source.js';

async function post(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const text = await res.text();
    throw new Error(`${res.status}: ${text}`);
  }
}

function SimCard(props: { sim: DemoSimulatorView; nodes: NodeView[] }) {
  const { sim, nodes } = props;
  const base = sim.controlUrl.replace(/\/+$/, '');
  const [state, setState] = useState<SimState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const onData = useCallback((data: unknown) => setState((data as { state: SimState }).state), []);
  const stream = useEventSource(`${base}/events`, null, onData);
  const node = nodes.find((n) => n.id === sim.id);

  const act = (label: string, run: () => Promise<void>): void => {
    setBusy(label);
    setError(null);
    run()
      .catch((e: unknown) => setError(`${label}: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => setBusy(null));
  };
  const press = (button: 'hallUp' | 'hallDown' | 'cab', floor: number): void =>
    act(`press ${button} ${floor}`, () => post(`${base}/press`, { button, floor }));
  const nodeAction = (action: 'kill' | 'restart' | 'disconnect' | 'reconnect'): void =>
    act(action, () => post(`api/demo/${encodeURIComponent(sim.id)}/${action}`, {}));

  const floors = state?.floors ?? 0;
  const rows = Array.from({ length: floors }, (_, i) => floors - 1 - i);
  const car = state?.car;
  return (
    <div class="card sim-card" data-testid={`sim-${sim.id}`}>
      <div class="sim-head">
        <span class="swatch" style={{ background: colorOf(sim.id, nodes) }} />
        <strong>Simulator {sim.id}</strong>
        <span class={`conn conn-${stream}`}>
          <span class="dot" />
          {stream === 'live' ? 'live' : 'connecting…'}
        </span>
      </div>
      {state === null ? (
        <p class="empty">Waiting for the simulator…</p>
      ) : (
        <>
          <div class="sim-facts">
            <span>
              car:{' '}
              {car?.floor === null
                ? `between floors (last ${car?.lastFloor})`
                : `floor ${car?.floor}`}
            </span>
            <span>motor: {car?.motor}</span>
            <span class={state.lamps.door ? 'on' : ''}>
              door {state.lamps.door ? 'open' : 'closed'}
            </span>
            <span class={state.clientConnected ? '' : 'warn'}>
              {state.clientConnected ? 'node connected' : 'no node connected'}
            </span>
          </div>
          <table class="sim-buttons">
            <thead>
              <tr>
                <th>floor</th>
                <th>up</th>
                <th>down</th>
                <th>cab</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((f) => (
                <tr key={f}>
                  <td class="floor-label">{f}</td>
                  <td>
                    {f < floors - 1 && (
                      <button
                        class={`call-btn${state.lamps.hall[f]?.[0] === true ? ' lit' : ''}`}
                        data-testid={`press-${sim.id}-hallUp-${f}`}
                        data-lit={String(state.lamps.hall[f]?.[0] === true)}
                        onClick={() => press('hallUp', f)}
                      >
                        ▲
                      </button>
                    )}
                  </td>
                  <td>
                    {f > 0 && (
                      <button
                        class={`call-btn${state.lamps.hall[f]?.[1] === true ? ' lit' : ''}`}
                        data-testid={`press-${sim.id}-hallDown-${f}`}
                        data-lit={String(state.lamps.hall[f]?.[1] === true)}
                        onClick={() => press('hallDown', f)}
                      >
                        ▼
                      </button>
                    )}
                  </td>
                  <td>
                    <button
                      class={`call-btn cab${state.lamps.cab[f] === true ? ' lit' : ''}`}
                      data-testid={`press-${sim.id}-cab-${f}`}
                      data-lit={String(state.lamps.cab[f] === true)}
                      onClick={() => press('cab', f)}
                    >
                      {f}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div class="sim-switches">
            <button
              class={`switch${state.obstruction ? ' active' : ''}`}
              data-testid={`obstruction-${sim.id}`}
              onClick={() =>
                act('obstruction', () => post(`${base}/obstruction`, { on: !state.obstruction }))
              }
            >
              Obstruction: {state.obstruction ? 'ON' : 'off'}
            </button>
            <button
              class={`switch${car?.motorPower === false ? ' active' : ''}`}
              data-testid={`motor-${sim.id}`}
              onClick={() =>
                act('motor power', () =>
                  post(`${base}/motor-power`, { on: car?.motorPower === false }),
                )
              }
            >
              Motor power: {car?.motorPower === false ? 'CUT' : 'on'}
            </button>
          </div>
        </>
      )}
      <div class="node-controls">
        <span class="label">
          node {sim.id}: {node?.status ?? 'not heard'}
        </span>
        <button data-testid={`kill-${sim.id}`} onClick={() => nodeAction('kill')}>
          Kill
        </button>
        <button data-testid={`restart-${sim.id}`} onClick={() => nodeAction('restart')}>
          Restart
        </button>
        <button data-testid={`disconnect-${sim.id}`} onClick={() => nodeAction('disconnect')}>
          Disconnect
        </button>
        <button data-testid={`reconnect-${sim.id}`} onClick={() => nodeAction('reconnect')}>
          Reconnect
        </button>
      </div>
      {busy !== null && <div class="busy">{busy}…</div>}
      {error !== null && <div class="error">{error}</div>}
    </div>
  );
}

export function DemoPanel(props: { simulators: DemoSimulatorView[]; nodes: NodeView[] }) {
  return (
    <section class="demo">
      <h2>Demo controls</h2>
      <div class="sim-cards">
        {props.simulators.map((sim) => (
          <SimCard sim={sim} nodes={props.nodes} key={sim.id} />
        ))}
      </div>
    </section>
  );
}
