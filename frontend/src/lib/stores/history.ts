// The dashboard's chart data. The API reports the queue as it is now (and rows completed in the last
// hour), not a time series, so the page keeps one from its own polling: a sample at most every
// `minSpacingMs`, for `windowMs`, saved in localStorage so a reload keeps the curve.
import type { Dashboard } from '$lib/api/types';

export interface Sample {
	/** Milliseconds since the epoch (the API's generated_at). */
	t: number;
	pending: number;
	processing: number;
	failed: number;
	/** Age in seconds of the oldest pending row, any stage. */
	oldest: number;
	/** Rows completed in the hour before `t`, all stages. */
	doneLastHour: number;
}

export interface HistoryOptions {
	minSpacingMs: number;
	windowMs: number;
}

export const HISTORY_KEY = 'docmill.dashboard.history';
export const DEFAULT_HISTORY: HistoryOptions = { minSpacingMs: 15_000, windowMs: 12 * 3600_000 };

export function sampleOf(dashboard: Dashboard, now = Date.now()): Sample {
	const lag = dashboard.queue_lag;
	const t = Date.parse(dashboard.generated_at);
	return {
		t: Number.isFinite(t) ? t : now,
		pending: lag.reduce((sum, s) => sum + s.pending, 0),
		processing: lag.reduce((sum, s) => sum + s.processing, 0),
		failed: lag.reduce((sum, s) => sum + s.failed, 0),
		oldest: lag.reduce((max, s) => Math.max(max, s.oldest_pending_age_sec), 0),
		doneLastHour: dashboard.throughput.total
	};
}

/** The history with `sample` added: replaces the last sample when it is too recent, drops old ones. */
export function addSample(history: readonly Sample[], sample: Sample, options = DEFAULT_HISTORY): Sample[] {
	const kept = history.filter((s) => s.t > sample.t - options.windowMs && s.t <= sample.t);
	const last = kept[kept.length - 1];
	const prev = kept[kept.length - 2];
	// The last point is live: a new sample replaces it until it lies minSpacing after the one before.
	if (last && (last.t === sample.t || (prev && last.t - prev.t < options.minSpacingMs))) kept[kept.length - 1] = sample;
	else kept.push(sample);
	return kept;
}

function isSample(value: unknown): value is Sample {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Record<string, unknown>;
	return ['t', 'pending', 'processing', 'failed', 'oldest', 'doneLastHour'].every(
		(k) => typeof v[k] === 'number' && Number.isFinite(v[k])
	);
}

export function loadHistory(storage: Pick<Storage, 'getItem'> | null, now = Date.now(), options = DEFAULT_HISTORY): Sample[] {
	try {
		const raw = storage?.getItem(HISTORY_KEY);
		if (!raw) return [];
		const parsed: unknown = JSON.parse(raw);
		if (!Array.isArray(parsed)) return [];
		return parsed
			.filter(isSample)
			.filter((s) => s.t > now - options.windowMs && s.t <= now + 60_000)
			.sort((a, b) => a.t - b.t);
	} catch {
		return [];
	}
}

export function saveHistory(storage: Pick<Storage, 'setItem'> | null, history: readonly Sample[]): void {
	try {
		storage?.setItem(HISTORY_KEY, JSON.stringify(history));
	} catch {
		// full or disabled storage: the chart just starts over next time
	}
}
