import { describe, expect, it } from 'vitest';
import type { Dashboard } from '$lib/api/types';
import { addSample, HISTORY_KEY, loadHistory, sampleOf, saveHistory, type Sample } from './history';

const options = { minSpacingMs: 15_000, windowMs: 3600_000 };
const s = (t: number, pending = 0): Sample => ({ t, pending, processing: 0, failed: 0, oldest: 0, doneLastHour: 0 });

class MemoryStorage {
	data = new Map<string, string>();
	getItem(key: string) {
		return this.data.get(key) ?? null;
	}
	setItem(key: string, value: string) {
		this.data.set(key, value);
	}
}

describe('sampleOf', () => {
	it('sums the stages and keeps the oldest age', () => {
		const dashboard = {
			generated_at: '2025-01-02T03:04:05Z',
			queue_lag: [
				{ stage: 'extract', pending: 2, processing: 1, failed: 0, oldest_pending_age_sec: 30, paused: false },
				{ stage: 'embed', pending: 5, processing: 0, failed: 3, oldest_pending_age_sec: 90, paused: true }
			],
			throughput: { window_sec: 3600, total: 42, per_stage: {} }
		} as unknown as Dashboard;
		expect(sampleOf(dashboard)).toEqual({
			t: Date.parse('2025-01-02T03:04:05Z'),
			pending: 7,
			processing: 1,
			failed: 3,
			oldest: 90,
			doneLastHour: 42
		});
	});
});

describe('addSample', () => {
	it('keeps one point per spacing, with the newest point live', () => {
		let h: Sample[] = [];
		h = addSample(h, s(0, 1), options);
		h = addSample(h, s(3000, 2), options);
		expect(h.map((x) => x.t)).toEqual([0, 3000]);
		h = addSample(h, s(6000, 3), options); // too close to 0: replaces the live point
		expect(h.map((x) => [x.t, x.pending])).toEqual([
			[0, 1],
			[6000, 3]
		]);
		h = addSample(h, s(16_000, 4), options); // 6000 was still too close to 0: replaced
		expect(h.map((x) => x.t)).toEqual([0, 16_000]);
		h = addSample(h, s(19_000, 5), options);
		expect(h.map((x) => x.t)).toEqual([0, 16_000, 19_000]);
	});

	it('drops samples older than the window and ignores ones from the future', () => {
		const h = addSample([s(0), s(1000_000), s(5000_000)], s(3700_000), options);
		expect(h.map((x) => x.t)).toEqual([1000_000, 3700_000]);
	});
});

describe('loadHistory / saveHistory', () => {
	it('round-trips through storage and skips junk', () => {
		const storage = new MemoryStorage();
		const now = 10_000_000;
		saveHistory(storage, [s(now - 10_000, 3), s(now - 5000, 4)]);
		expect(loadHistory(storage, now, options).map((x) => x.pending)).toEqual([3, 4]);

		storage.setItem(HISTORY_KEY, JSON.stringify([s(now - 1000), { t: 'x' }, null, s(now - 4000_000), s(now - 2000)]));
		expect(loadHistory(storage, now, options).map((x) => x.t)).toEqual([now - 2000, now - 1000]);

		storage.setItem(HISTORY_KEY, '{not json');
		expect(loadHistory(storage, now, options)).toEqual([]);
		expect(loadHistory(null, now, options)).toEqual([]);
	});
});
