/**
 * The building: one row per floor (top floor first), the hall call lamps on the left, then one
 * shaft per elevator, side by side, with its car, door, direction, cab calls and service state.
 */
import type { HallCallView, NodeView, OutOfServiceReason, SystemView } from '../view-model.js';
import { colorOf } from './colors.js';

/** Height of one floor, in px (the car's position is computed in floors). */
const ROW = 68;

const REASON: Record<OutOfServiceReason, string> = {
  elevatorServer: 'no elevator server',
  motor: 'motor failed',
  obstruction: 'obstructed',
  unavailable: 'unavailable',
};

/** Where to draw the car, in floors from the ground: half-way to the next floor while moving. */
function carPosition(node: NodeView, floors: number): number {
  const { floor, behaviour, direction } = node.elevator;
  if (floor === null) return 0;
  if (behaviour !== 'moving') return floor;
  const step = direction === 'up' ? 0.5 : direction === 'down' ? -0.5 : 0;
  return Math.min(floors - 1, Math.max(0, floor + step));
}

function stateText(node: NodeView): string {
  const e = node.elevator;
  if (e.floor === null || e.behaviour === 'init') return 'finding a floor';
  switch (e.behaviour) {
    case 'moving':
      return e.park === undefined
        ? `moving ${e.direction} · ${e.floor}`
        : `parking ${e.direction} · to ${e.park}`;
    case 'doorOpen':
      return `door open · ${e.floor}`;
    default:
      return e.park === e.floor ? `idle · ${e.floor} (home)` : `idle · ${e.floor}`;
  }
}

function HallLamp(props: {
  floor: number;
  dir: 'up' | 'down';
  call: HallCallView;
  nodes: NodeView[];
}) {
  const { floor, dir, call, nodes } = props;
  const title =
    call.phase === 'confirmed'
      ? `confirmed, assigned to ${call.assignedTo ?? 'nobody'}`
      : call.phase === 'unconfirmed'
        ? `unconfirmed, held by ${call.witnesses.join(', ')}`
        : 'no call';
  return (
    <div
      class={`hall-lamp phase-${call.phase}`}
      data-testid={`hall-${floor}-${dir}`}
      data-phase={call.phase}
      data-assigned={call.assignedTo ?? ''}
      title={title}
    >
      <span class="arrow">{dir === 'up' ? '▲' : '▼'}</span>
      {call.assignedTo !== null && (
        <span class="owner" style={{ background: colorOf(call.assignedTo, nodes) }}>
          {call.assignedTo}
        </span>
      )}
    </div>
  );
}

function Shaft(props: { node: NodeView; view: SystemView }) {
  const { node, view } = props;
  const floors = view.floors;
  const e = node.elevator;
  const color = colorOf(node.id, view.nodes);
  const lost = node.status === 'lost';
  const out = node.outOfService;
  const dirArrow = e.direction === 'up' ? '▲' : e.direction === 'down' ? '▼' : '■';
  const doorOpen = e.behaviour === 'doorOpen';
  const rows = Array.from({ length: floors }, (_, i) => floors - 1 - i);
  return (
    <div
      class={`shaft-col${lost ? ' lost' : ''}${out !== null ? ' out' : ''}`}
      data-testid={`shaft-${node.id}`}
    >
      <div class="shaft-head" style={{ borderColor: color }}>
        <div class="shaft-title">
          <span class="swatch" style={{ background: color }} />
          {node.id}
          {lost && <span class="tag tag-lost">lost</span>}
          {!lost && out !== null && <span class="tag tag-out">out of service</span>}
        </div>
        <div class="shaft-state">{lost ? 'not heard' : stateText(node)}</div>
      </div>
      <div class="shaft" style={{ height: `${floors * ROW}px` }}>
        {rows.map((f) => {
          const cab = node.cab[f] ?? 'none';
          const mine = view.hall[f]?.map((c) => c.assignedTo === node.id) ?? [];
          return (
            <div class="shaft-row" style={{ height: `${ROW}px` }} key={f}>
              <span class="assigned">
                {mine[0] === true && <span style={{ color }}>▲</span>}
                {mine[1] === true && <span style={{ color }}>▼</span>}
              </span>
              <span
                class={`cab-lamp phase-${cab}`}
                data-testid={`cab-${node.id}-${f}`}
                data-phase={cab}
                title={`cab call to floor ${f}: ${cab}`}
              >
                {f}
              </span>
            </div>
          );
        })}
        <div
          class={`car${doorOpen ? ' door-open' : ''}${e.obstructed ? ' obstructed' : ''}`}
          data-testid={`car-${node.id}`}
          data-floor={e.floor ?? ''}
          data-behaviour={e.behaviour}
          data-park={e.park ?? ''}
          style={{
            bottom: `${carPosition(node, floors) * ROW + 6}px`,
            height: `${ROW - 12}px`,
            borderColor: color,
          }}
        >
          <div class="car-dir" title={`direction: ${e.direction}`}>
            {dirArrow}
          </div>
          <div class="doors">
            <div class="door left" />
            <div class="door right" />
          </div>
          {e.obstructed && (
            <div class="car-badge obstruction" title="door obstructed">
              ⚠
            </div>
          )}
          {out !== null && !lost && <div class="car-out">{REASON[out]}</div>}
        </div>
      </div>
    </div>
  );
}

export function Building(props: { view: SystemView }) {
  const { view } = props;
  const floors = view.floors;
  const rows = Array.from({ length: floors }, (_, i) => floors - 1 - i);
  if (floors === 0) {
    return (
      <section class="card building">
        <h2>Building</h2>
        <p class="empty">No node heard yet: waiting for the peers’ broadcasts…</p>
      </section>
    );
  }
  return (
    <section class="card building">
      <h2>Building</h2>
      <div class="building-grid">
        <div class="hall-col">
          <div class="shaft-head hall-head">
            <div class="shaft-title">Hall calls</div>
            <div class="shaft-state">
              <span class="legend phase-unconfirmed" />
              unconfirmed
              <span class="legend phase-confirmed" />
              confirmed
            </div>
          </div>
          <div class="hall-rows">
            {rows.map((f) => (
              <div class="hall-row" style={{ height: `${ROW}px` }} key={f}>
                <span class="floor-label">{f}</span>
                <div class="hall-lamps">
                  {f < floors - 1 ? (
                    <HallLamp
                      floor={f}
                      dir="up"
                      call={view.hall[f]?.[0] ?? NO_CALL}
                      nodes={view.nodes}
                    />
                  ) : (
                    <span class="hall-lamp spacer" />
                  )}
                  {f > 0 ? (
                    <HallLamp
                      floor={f}
                      dir="down"
                      call={view.hall[f]?.[1] ?? NO_CALL}
                      nodes={view.nodes}
                    />
                  ) : (
                    <span class="hall-lamp spacer" />
                  )}
                </div>
              </div>
            ))}
          </div>
        </div>
        {view.nodes.map((node) => (
          <Shaft node={node} view={view} key={node.id} />
        ))}
      </div>
    </section>
  );
}

const NO_CALL: HallCallView = { phase: 'none', assignedTo: null, witnesses: [] };
