/**
 * Most nodes of one mesh (elevators, and so origins of one call), which one controller keeps state
 * about: peers (itself included), cab owners, and origins per register. With ids of up to 32
 * characters, a slice's id table then still leaves room for calls in one datagram
 * (`protocol/view-slicer.ts`); anything beyond (a seventeenth elevator, or a hostile sender) is
 * ignored rather than grown, and logged.
 */
export const MAX_MESH_NODES = 16;
