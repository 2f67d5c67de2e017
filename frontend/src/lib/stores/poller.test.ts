import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPoller } from './poller';

class FakeVisibility extends EventTarget {
	hidden = false;
	set(hidden: boolean) {
		this.hidden = hidden;
		this.dispatchEvent(new Event('visibilitychange'));
	}
}

describe('createPoller', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('runs at once, then every interval, never two at a time', async () => {
		let running = 0;
		let most = 0;
		let runs = 0;
		const poller = createPoller(
			async () => {
				running++;
				most = Math.max(most, running);
				runs++;
				await new Promise((r) => setTimeout(r, 500)); // a slow request
				running--;
			},
			{ intervalMs: 1000, visibility: null }
		);
		poller.start();
		expect(runs).toBe(1);
		void poller.refresh(); // while the first runs: coalesced into one more run right after
		void poller.refresh();
		await vi.advanceTimersByTimeAsync(500);
		expect(runs).toBe(2);
		await vi.advanceTimersByTimeAsync(500 + 1000 + 500);
		expect(runs).toBe(3);
		expect(most).toBe(1);
		poller.stop();
		await vi.advanceTimersByTimeAsync(10_000);
		expect(runs).toBe(3);
	});

	it('backs off after failures and recovers', async () => {
		const errors: unknown[] = [];
		let fail = true;
		const times: number[] = [];
		const poller = createPoller(
			async () => {
				times.push(Date.now());
				if (fail) throw new Error('down');
			},
			{ intervalMs: 1000, maxBackoffMs: 4000, visibility: null, onError: (e) => errors.push(e) }
		);
		const start = Date.now();
		poller.start();
		await vi.advanceTimersByTimeAsync(2000 + 4000 + 4000);
		expect(times.map((t) => t - start)).toEqual([0, 2000, 6000, 10000]);
		expect(poller.failures).toBe(4);
		expect(errors).toHaveLength(4);
		fail = false;
		await vi.advanceTimersByTimeAsync(4000);
		expect(poller.failures).toBe(0);
		await vi.advanceTimersByTimeAsync(1000);
		expect(times.map((t) => t - start)).toEqual([0, 2000, 6000, 10000, 14000, 15000]);
		poller.stop();
	});

	it('pauses while the page is hidden and catches up when it shows', async () => {
		const visibility = new FakeVisibility();
		let runs = 0;
		const poller = createPoller(
			async () => {
				runs++;
			},
			{ intervalMs: 1000, visibility: visibility as unknown as Document }
		);
		poller.start();
		await vi.advanceTimersByTimeAsync(0);
		expect(runs).toBe(1);
		visibility.set(true);
		await vi.advanceTimersByTimeAsync(5000);
		expect(runs).toBe(1);
		visibility.set(false);
		await vi.advanceTimersByTimeAsync(0);
		expect(runs).toBe(2);
		poller.stop();
	});

	it('aborts the run in progress when stopped', async () => {
		let signal: AbortSignal | null = null;
		const errors: unknown[] = [];
		const poller = createPoller(
			(s) => {
				signal = s;
				return new Promise((_, reject) => s.addEventListener('abort', () => reject(new Error('aborted'))));
			},
			{ intervalMs: 1000, visibility: null, onError: (e) => errors.push(e) }
		);
		poller.start();
		poller.stop();
		await vi.advanceTimersByTimeAsync(0);
		expect(signal!.aborted).toBe(true);
		expect(errors).toEqual([]); // an aborted run is not a failure
	});
});
