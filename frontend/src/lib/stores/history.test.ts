import { describe, expect, it } from 'vitest';
import type { Dashboard } from '$lib/api/types';
import { sampleOf, samplesOf, withLive } from './history';

describe('the dashboard history', () => {
	it('reads the server points in time order', () => {
		const points = [
			{ t: '2025-01-02T03:05:00Z', pending: 3, processing: 1, failed: 0, oldest_pending_age_sec: 20, completed_per_min: 4 },
			{ t: '2025-01-02T03:04:30Z', pending: 5, processing: 0, failed: 1, oldest_pending_age_sec: 90, completed_per_min: 2.5 }
		];
		expect(samplesOf(points)).toEqual([
			{ t: Date.parse('2025-01-02T03:04:30Z'), pending: 5, processing: 0, failed: 1, oldest: 90, perMin: 2.5 },
			{ t: Date.parse('2025-01-02T03:05:00Z'), pending: 3, processing: 1, failed: 0, oldest: 20, perMin: 4 }
		]);
	});

	it('sums the live stages and adds the live point after the samples only when newer', () => {
		const dashboard = {
			generated_at: '2025-01-02T03:06:00Z',
			queue_lag: [
				{ stage: 'extract', pending: 2, processing: 1, failed: 0, oldest_pending_age_sec: 30, paused: false },
				{ stage: 'embed', pending: 5, processing: 0, failed: 3, oldest_pending_age_sec: 90, paused: true }
			],
			throughput: { window_sec: 3600, total: 42, per_stage: {} }
		} as unknown as Dashboard;
		const live = sampleOf(dashboard);
		expect(live).toEqual({ t: Date.parse('2025-01-02T03:06:00Z'), pending: 7, processing: 1, failed: 3, oldest: 90, perMin: null });
		const old = { t: Date.parse('2025-01-02T03:05:30Z'), pending: 1, processing: 0, failed: 0, oldest: 0, perMin: 1 };
		expect(withLive([old], live)).toEqual([old, live]);
		expect(withLive([{ ...old, t: live.t }], live)).toHaveLength(1);
		expect(withLive([], null)).toEqual([]);
	});
});
