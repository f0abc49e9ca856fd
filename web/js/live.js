/*
 * live: the SSE client of /api/v1/stream. One EventSource per page while
 * someone is logged in; screens subscribe to ticket events and are told
 * when the stream came back after a break (the server restarted or the
 * network dropped), since the stream does not replay what was missed and
 * they should reload what they show.
 *
 * EventSource reconnects by itself after a dropped connection; when the
 * browser gives up (e.g. the server answered an error while restarting),
 * this module opens a new one after a pause.
 */
const RETRY_MS = 3000;

let source = null;
let retryTimer = null;
let broken = false;
const listeners = new Set();

function emit(kind, data) {
	for (const fn of [...listeners]) fn(kind, data);
}

function open() {
	clearTimeout(retryTimer);
	source = new EventSource('/api/v1/stream');
	source.addEventListener('ticket', (event) => {
		let data = null;
		try {
			data = JSON.parse(event.data);
		} catch {
			return;
		}
		emit('ticket', data);
	});
	source.addEventListener('open', () => {
		document.documentElement.dataset.live = 'open';
		if (broken) {
			broken = false;
			emit('reconnected', null);
		}
	});
	source.addEventListener('error', () => {
		broken = true;
		document.documentElement.dataset.live = 'broken';
		if (source && source.readyState === EventSource.CLOSED) {
			source.close();
			retryTimer = setTimeout(open, RETRY_MS);
		}
	});
}

/* Starts the stream (idempotent). */
export function connect() {
	if (!source) open();
}

/* Stops the stream (logging out). */
export function disconnect() {
	clearTimeout(retryTimer);
	if (source) source.close();
	source = null;
	broken = false;
	delete document.documentElement.dataset.live;
}

/* fn(kind, data) for every 'ticket' event (data: TicketStreamEvent) and
 * every 'reconnected' (data null). Returns the function that unsubscribes. */
export function subscribe(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}
