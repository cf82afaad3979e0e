/**
 * What the engine and main tell the renderer, and what the renderer tells itself: each store
 * subscribes to the events it is about, where it is defined.
 */
import type { AppEvent } from '../electron/contract.js';
import type { ToolId } from '../electron/engine/tools/specs.js';

export type RendererEvent =
  | AppEvent
  /** A tool's result is on the canvas (its document shown again with the new layer). */
  | { type: 'result-shown'; tool: ToolId; layerId: string };

type EventOf<T extends RendererEvent['type']> = Extract<RendererEvent, { type: T }>;
type Handler<T extends RendererEvent['type']> = (e: EventOf<T>) => unknown;

/** Handlers by event type; each is called only with events of its own type. */
const subscribers = new Map<RendererEvent['type'], ((e: RendererEvent) => unknown)[]>();

/** Calls `handler` with each event of `type`; answers how to stop. */
export function on<T extends RendererEvent['type']>(type: T, handler: Handler<T>): () => void {
  const each = handler as (e: RendererEvent) => unknown;
  subscribers.set(type, [...(subscribers.get(type) ?? []), each]);
  return () =>
    subscribers.set(
      type,
      (subscribers.get(type) ?? []).filter((h) => h !== each),
    );
}

/** Hands an event to its subscribers one after another, each awaited: a later one may rely on what an earlier one showed. */
export async function deliver(e: RendererEvent): Promise<void> {
  for (const handler of subscribers.get(e.type) ?? []) await handler(e);
}
