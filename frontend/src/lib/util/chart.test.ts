import { describe, expect, it } from 'vitest';
import { linearScale, linePath, niceTicks, timeTicks } from './chart';

describe('chart helpers', () => {
	it('scales linearly, and a flat domain to the middle', () => {
		const s = linearScale([0, 10], [100, 0]);
		expect([s(0), s(5), s(10)]).toEqual([100, 50, 0]);
		expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
	});

	it('picks round ticks covering the maximum', () => {
		expect(niceTicks(7, 4)).toEqual([0, 2, 4, 6, 8]);
		expect(niceTicks(95, 4)).toEqual([0, 25, 50, 75, 100]);
		expect(niceTicks(0)).toEqual([0, 1]);
		expect(niceTicks(0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
		expect(niceTicks(1, 3, true)).toEqual([0, 1]);
		expect(niceTicks(7, 3, true)).toEqual([0, 5, 10]);
		expect(niceTicks(25, 4, true)).toEqual([0, 10, 20, 30]);
	});

	it('draws lines and breaks them at gaps', () => {
		const id = (v: number) => v;
		expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }], id, id)).toBe('M0.0,1.0L1.0,2.0');
		expect(linePath([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 10, y: 0 }], id, id, 5)).toBe('M0.0,0.0L1.0,0.0M10.0,0.0');
		expect(linePath([], id, id)).toBe('');
	});

	it('puts time ticks on round minutes', () => {
		const start = Date.UTC(2025, 0, 1, 10, 7);
		const ticks = timeTicks(start, start + 3600_000, 6);
		expect(ticks[0]).toBe(Date.UTC(2025, 0, 1, 10, 10));
		expect(ticks).toHaveLength(6);
		expect(ticks.every((t, i) => i === 0 || t - ticks[i - 1]! === 10 * 60_000)).toBe(true);
		expect(timeTicks(start, start + 12 * 3600_000, 6).every((t) => t % (2 * 3600_000) === 0)).toBe(true);
	});
});
