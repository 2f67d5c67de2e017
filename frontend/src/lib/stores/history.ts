// The dashboard's chart data, from the server's history (GET /api/dashboard/history: the api samples the
// queue every 30 s and keeps 14 days), so the charts show the last hours the moment the page opens, in
// any browser, across restarts. The newest point is the live figures of the last poll.
import type { Dashboard, Schemas } from '$lib/api/types';

export type HistoryWindow = '1h' | '3h' | '12h' | '7d';
export const WINDOWS: { id: HistoryWindow; ms: number }[] = [
	{ id: '1h', ms: 3600_000 },
	{ id: '3h', ms: 3 * 3600_000 },
	{ id: '12h', ms: 12 * 3600_000 },
	{ id: '7d', ms: 7 * 86400_000 }
];

export interface Sample {
	/** Milliseconds since the epoch. */
	t: number;
	pending: number;
	processing: number;
	failed: number;
	/** Age in seconds of the oldest pending row, any stage. */
	oldest: number;
	/** Rows completed per minute, all stages (null for the live point: the poll counts an hour). */
	perMin: number | null;
}

type HistoryPoint = Schemas['HistoryPointOut'];

export function samplesOf(points: readonly HistoryPoint[]): Sample[] {
	return points
		.map((p) => ({
			t: Date.parse(p.t),
			pending: p.pending,
			processing: p.processing,
			failed: p.failed,
			oldest: p.oldest_pending_age_sec,
			perMin: p.completed_per_min
		}))
		.filter((s) => Number.isFinite(s.t))
		.sort((a, b) => a.t - b.t);
}

/** The live figures of a dashboard poll, as a point after the server's samples. */
export function sampleOf(dashboard: Dashboard, now = Date.now()): Sample {
	const lag = dashboard.queue_lag;
	const t = Date.parse(dashboard.generated_at);
	return {
		t: Number.isFinite(t) ? t : now,
		pending: lag.reduce((sum, s) => sum + s.pending, 0),
		processing: lag.reduce((sum, s) => sum + s.processing, 0),
		failed: lag.reduce((sum, s) => sum + s.failed, 0),
		oldest: lag.reduce((max, s) => Math.max(max, s.oldest_pending_age_sec), 0),
		perMin: null
	};
}

/** The server's samples with the live point after them (when it is newer). */
export function withLive(samples: readonly Sample[], live: Sample | null): Sample[] {
	const last = samples[samples.length - 1];
	return live && (!last || live.t > last.t) ? [...samples, live] : [...samples];
}
