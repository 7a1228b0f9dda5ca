/** A distinct colour per elevator, by its position among the nodes (sorted by id). */
const PALETTE = ['#4f9dff', '#f07b3f', '#3fbf7f', '#c77dff', '#ff5c8a', '#2ec4c4', '#e0b400'];

export function colorOf(id: string, nodes: readonly { id: string }[]): string {
  const i = nodes.findIndex((n) => n.id === id);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length] ?? '#888';
}
