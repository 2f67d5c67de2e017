// Is a stage's backlog growing? Compare its figures now with the oldest snapshot in a short window.
import type { StageLag } from '$lib/api/types';

export type Trend = 'growing' | 'shrinking' | 'steady';
export type Severity = 'ok' | 'warn' | 'bad';

/** Oldest pending age (seconds) from which a stage is shown as lagging. */
export const AGE_WARN_S = 120;
export const AGE_BAD_S = 1800;

export function severity(lag: Pick<StageLag, 'oldest_pending_age_sec' | 'failed'>): Severity {
	if (lag.oldest_pending_age_sec >= AGE_BAD_S) return 'bad';
	if (lag.oldest_pending_age_sec >= AGE_WARN_S || lag.failed > 0) return 'warn';
	return 'ok';
}

type Figures = Pick<StageLag, 'pending' | 'oldest_pending_age_sec'>;

export function trendOf(before: Figures | undefined, now: Figures, elapsedS: number): Trend {
	if (!before) return 'steady';
	if (now.pending > before.pending) return 'growing';
	if (now.pending < before.pending) return 'shrinking';
	// Same number waiting: growing when the oldest row just keeps ageing (nothing is taken).
	if (now.pending > 0 && elapsedS > 0 && now.oldest_pending_age_sec - before.oldest_pending_age_sec >= elapsedS * 0.8) {
		return 'growing';
	}
	return 'steady';
}

interface Snapshot {
	t: number;
	stages: Map<string, Figures>;
}

/** Keeps the last `windowMs` of per-stage figures and says which way each stage goes. */
export class TrendTracker {
	private snapshots: Snapshot[] = [];

	constructor(private readonly windowMs = 30_000) {}

	update(lags: readonly StageLag[], t: number): Map<string, Trend> {
		const stages = new Map(lags.map((l) => [l.stage as string, { pending: l.pending, oldest_pending_age_sec: l.oldest_pending_age_sec }]));
		this.snapshots = this.snapshots.filter((s) => s.t >= t - this.windowMs && s.t < t);
		const base = this.snapshots[0];
		this.snapshots.push({ t, stages });
		const out = new Map<string, Trend>();
		for (const [name, figures] of stages) {
			out.set(name, trendOf(base?.stages.get(name), figures, base ? (t - base.t) / 1000 : 0));
		}
		return out;
	}
}
