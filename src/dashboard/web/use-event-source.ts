/**
 * A preact hook over EventSource that keeps reconnecting: the browser retries by itself after a
 * dropped connection, but gives up for good after an HTTP error (e.g. while the server restarts);
 * then we open a new one after a pause.
 */
import { useEffect, useState } from 'preact/hooks';

/** `live`: connected; `connecting`: (re)connecting. */
export type StreamState = 'connecting' | 'live';

const RETRY_MS = 1500;

/**
 * Subscribes to `url` (an SSE stream) while mounted; `onData` gets each event's parsed JSON data
 * (`event` names the event type; null takes unnamed `message` events).
 */
export function useEventSource(
  url: string | null,
  event: string | null,
  onData: (data: unknown) => void,
): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  useEffect(() => {
    if (url === null) return;
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const open = (): void => {
      source = new EventSource(url);
      source.addEventListener('open', () => setState('live'));
      source.addEventListener(event ?? 'message', (e) => {
        setState('live');
        try {
          onData(JSON.parse((e as MessageEvent<string>).data));
        } catch {
          // A malformed event is skipped; the next one carries the whole state again.
        }
      });
      source.addEventListener('error', () => {
        setState('connecting');
        if (source?.readyState === EventSource.CLOSED && !stopped) {
          source.close();
          retry = setTimeout(open, RETRY_MS);
        }
      });
    };
    open();
    return () => {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    };
    // onData is expected to be stable (a state setter or a memoised callback).
  }, [url, event]);
  return state;
}
