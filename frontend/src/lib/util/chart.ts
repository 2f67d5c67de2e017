// Small helpers for the SVG charts: scales, nice ticks and line paths.

export type Scale = (value: number) => number;

export function linearScale([d0, d1]: readonly [number, number], [r0, r1]: readonly [number, number]): Scale {
	const span = d1 - d0;
	if (span === 0) return () => (r0 + r1) / 2;
	return (value: number) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** A round upper bound and evenly spaced ticks from 0 for values up to `max` (whole steps for counts). */
export function niceTicks(max: number, count = 4, integer = false): number[] {
	if (!Number.isFinite(max) || max <= 0) return [0, 1];
	const raw = max / count;
	const power = 10 ** Math.floor(Math.log10(raw));
	const candidates = [1, 2, 2.5, 5, 10].map((m) => m * power).filter((s) => !integer || Number.isInteger(s));
	const step = Math.max(integer ? 1 : 0, candidates.find((s) => s >= raw) ?? 10 * power);
	const ticks: number[] = [];
	for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
	return ticks;
}

export interface Point {
	x: number;
	y: number;
}

/** An SVG path through the points; a gap longer than `breakAfter` (in x units) starts a new line. */
export function linePath(points: readonly Point[], x: Scale, y: Scale, breakAfter = Infinity): string {
	let d = '';
	let previous: Point | null = null;
	for (const p of points) {
		const cmd = previous === null || p.x - previous.x > breakAfter ? 'M' : 'L';
		d += `${cmd}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`;
		previous = p;
	}
	return d;
}

/** Time ticks (ms) at round minutes or hours across [start, end]. */
export function timeTicks(start: number, end: number, count = 6): number[] {
	const span = end - start;
	if (span <= 0) return [end];
	const steps = [60_000, 5 * 60_000, 10 * 60_000, 15 * 60_000, 30 * 60_000, 3600_000, 2 * 3600_000, 3 * 3600_000, 6 * 3600_000];
	const step = steps.find((s) => span / s <= count) ?? steps[steps.length - 1]!;
	const ticks: number[] = [];
	for (let t = Math.ceil(start / step) * step; t <= end; t += step) ticks.push(t);
	return ticks;
}
