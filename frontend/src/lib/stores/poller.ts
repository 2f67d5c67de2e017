// Run a task every few seconds: never two at once, slower after failures, and not while the tab is
// hidden (it runs again as soon as the tab shows).

export interface PollerOptions {
	intervalMs: number;
	/** Longest wait after repeated failures. */
	maxBackoffMs?: number;
	onError?: (error: unknown) => void;
	/** For tests: the page's visibility. */
	visibility?: { hidden: boolean; addEventListener: Document['addEventListener']; removeEventListener: Document['removeEventListener'] } | null;
}

export interface Poller {
	start(): void;
	stop(): void;
	/** Run now (or right after the run in progress); resolves when that run ends. */
	refresh(): Promise<void>;
	readonly running: boolean;
	readonly failures: number;
}

export function createPoller(task: (signal: AbortSignal) => Promise<void>, options: PollerOptions): Poller {
	const maxBackoff = options.maxBackoffMs ?? Math.max(options.intervalMs * 8, 30_000);
	const visibility = options.visibility === undefined ? (typeof document === 'undefined' ? null : document) : options.visibility;
	let timer: ReturnType<typeof setTimeout> | null = null;
	let started = false;
	let inFlight: Promise<void> | null = null;
	let again = false;
	let failures = 0;
	let controller: AbortController | null = null;

	const delay = () => (failures === 0 ? options.intervalMs : Math.min(options.intervalMs * 2 ** failures, maxBackoff));

	function schedule(): void {
		if (timer !== null) clearTimeout(timer);
		timer = null;
		if (!started || visibility?.hidden) return;
		timer = setTimeout(() => {
			timer = null;
			void run();
		}, delay());
	}

	function run(): Promise<void> {
		if (inFlight) {
			again = true;
			return inFlight;
		}
		if (timer !== null) {
			clearTimeout(timer);
			timer = null;
		}
		controller = new AbortController();
		const signal = controller.signal;
		inFlight = (async () => {
			try {
				await task(signal);
				failures = 0;
			} catch (error) {
				if (!signal.aborted) {
					failures++;
					options.onError?.(error);
				}
			} finally {
				inFlight = null;
				controller = null;
				if (again && started) {
					again = false;
					void run();
				} else {
					again = false;
					schedule();
				}
			}
		})();
		return inFlight;
	}

	function onVisibility(): void {
		if (!started) return;
		if (visibility?.hidden) {
			if (timer !== null) clearTimeout(timer);
			timer = null;
		} else {
			void run();
		}
	}

	return {
		start() {
			if (started) return;
			started = true;
			visibility?.addEventListener('visibilitychange', onVisibility);
			void run();
		},
		stop() {
			started = false;
			visibility?.removeEventListener('visibilitychange', onVisibility);
			if (timer !== null) clearTimeout(timer);
			timer = null;
			controller?.abort();
		},
		refresh() {
			return run();
		},
		get running() {
			return started;
		},
		get failures() {
			return failures;
		}
	};
}
