import { describe, expect, it } from 'vitest';
import type { StageLag } from '$lib/api/types';
import { severity, trendOf, TrendTracker } from './trend';

const lag = (stage: string, pending: number, age: number, failed = 0): StageLag =>
	({ stage, pending, processing: 0, failed, oldest_pending_age_sec: age, paused: false }) as StageLag;

describe('trendOf', () => {
	it('follows the number waiting', () => {
		expect(trendOf(undefined, lag('a', 5, 10), 0)).toBe('steady');
		expect(trendOf(lag('a', 2, 10), lag('a', 5, 10), 10)).toBe('growing');
		expect(trendOf(lag('a', 5, 10), lag('a', 2, 10), 10)).toBe('shrinking');
	});

	it('calls a stuck stage growing: same rows waiting, ageing with the clock', () => {
		expect(trendOf(lag('a', 3, 100), lag('a', 3, 130), 30)).toBe('growing');
		expect(trendOf(lag('a', 3, 100), lag('a', 3, 102), 30)).toBe('steady'); // rows move through
		expect(trendOf(lag('a', 0, 0), lag('a', 0, 0), 30)).toBe('steady');
	});
});

describe('severity', () => {
	it('grades the oldest pending age and failures', () => {
		expect(severity(lag('a', 1, 5))).toBe('ok');
		expect(severity(lag('a', 1, 5, 2))).toBe('warn');
		expect(severity(lag('a', 1, 300))).toBe('warn');
		expect(severity(lag('a', 1, 3600))).toBe('bad');
	});
});

describe('TrendTracker', () => {
	it('compares with the oldest snapshot inside the window', () => {
		const tracker = new TrendTracker(30_000);
		expect(tracker.update([lag('extract', 1, 0), lag('embed', 10, 50)], 0).get('extract')).toBe('steady');
		tracker.update([lag('extract', 2, 3), lag('embed', 8, 20)], 10_000);
		const t = tracker.update([lag('extract', 3, 6), lag('embed', 8, 20)], 20_000);
		expect(t.get('extract')).toBe('growing');
		expect(t.get('embed')).toBe('shrinking');
		// 45 s later the first snapshots have left the window: compared with t=20 s now
		const later = tracker.update([lag('extract', 3, 6), lag('embed', 8, 21)], 45_000);
		expect(later.get('extract')).toBe('steady');
		expect(later.get('embed')).toBe('steady');
	});
});
