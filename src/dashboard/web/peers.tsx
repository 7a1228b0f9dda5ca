/**
 * The peers: for each node, whether the monitor hears it, which peers it hears itself (a matrix),
 * and the health of its elevator.
 */
import type { NodeView } from '../view-model.js';
import { colorOf } from './colors.js';

function health(node: NodeView): { text: string; level: 'ok' | 'warn' | 'bad' } {
  const e = node.elevator;
  if (node.status === 'lost') return { text: 'not heard', level: 'bad' };
  if (!e.connected) return { text: 'no elevator server', level: 'bad' };
  if (e.motorFailed) return { text: 'motor failed', level: 'bad' };
  if (e.obstructed) return { text: 'obstructed', level: 'warn' };
  if (!e.available && e.behaviour !== 'init') return { text: 'unavailable', level: 'bad' };
  if (e.behaviour === 'init') return { text: 'starting', level: 'warn' };
  return { text: 'healthy', level: 'ok' };
}

export function Peers(props: { nodes: NodeView[] }) {
  const { nodes } = props;
  return (
    <section class="card peers">
      <h2>Peers</h2>
      {nodes.length === 0 ? (
        <p class="empty">None heard yet.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>node</th>
              <th>heard</th>
              <th title="the peers this node hears">hears</th>
              {nodes.map((n) => (
                <th class="mx" key={n.id} title={`does the row's node hear ${n.id}?`}>
                  {n.id}
                </th>
              ))}
              <th>elevator</th>
            </tr>
          </thead>
          <tbody>
            {nodes.map((n) => {
              const h = health(n);
              return (
                <tr key={n.id} data-testid={`peer-${n.id}`} data-status={n.status}>
                  <td>
                    <span class="swatch" style={{ background: colorOf(n.id, nodes) }} />
                    {n.id}
                  </td>
                  <td>
                    <span class={`status status-${n.status}`}>{n.status}</span>
                    {n.restarts > 0 && (
                      <span class="restarts" title="restarts seen">
                        ↻{n.restarts}
                      </span>
                    )}
                  </td>
                  <td class="count">{n.status === 'alive' ? n.sees.length : '–'}</td>
                  {nodes.map((m) => (
                    <td class="mx" key={m.id}>
                      {m.id === n.id ? (
                        <span class="self">·</span>
                      ) : n.status !== 'alive' ? (
                        <span class="unknown">?</span>
                      ) : n.sees.includes(m.id) ? (
                        <span class="yes">●</span>
                      ) : (
                        <span class="no">○</span>
                      )}
                    </td>
                  ))}
                  <td>
                    <span class={`health health-${h.level}`}>{h.text}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
