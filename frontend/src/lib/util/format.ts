// Numbers, sizes, durations and dates for display.

const INT = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
	return INT.format(n);
}

export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '–';
	if (bytes < 1024) return `${bytes} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A duration in seconds, short: "0 s", "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h". */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return '–';
	const s = Math.floor(seconds);
	if (s < 60) return `${s} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
	const h = Math.floor(m / 60);
	if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
	const d = Math.floor(h / 24);
	return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** A media position: "0:07", "12:05", "1:02:03". */
export function formatClock(seconds: number): string {
	const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
	const h = Math.floor(total / 3600);
	const m = Math.floor((total % 3600) / 60);
	const s = total % 60;
	const ss = String(s).padStart(2, '0');
	return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function formatDateTime(iso: string | null | undefined): string {
	if (!iso) return '–';
	const date = new Date(iso);
	if (Number.isNaN(date.getTime())) return '–';
	return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(iso: string | null | undefined): string {
	if (!iso) return '–';
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? '–' : date.toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** "just now", "5 min ago", "in 3 h" relative to `now`. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
	if (!iso) return '–';
	const t = Date.parse(iso);
	if (Number.isNaN(t)) return '–';
	const diff = (t - now) / 1000;
	if (Math.abs(diff) < 10) return 'just now';
	const text = formatDuration(Math.abs(diff)).split(' ').slice(0, 2).join(' ');
	return diff < 0 ? `${text} ago` : `in ${text}`;
}

export function formatPercent(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return '–';
	return `${Math.round(value * 100)}%`;
}

/** The title to show for a document. */
export function documentLabel(doc: {
	title?: string | null;
	original_name?: string | null;
	document_title?: string | null; // failures and other rows about a document carry its title under this name
	id?: number;
	document_id?: number;
}): string {
	const id = doc.id ?? doc.document_id;
	return doc.title?.trim() || doc.document_title?.trim() || doc.original_name?.trim() || (id !== undefined ? `Document ${id}` : 'Untitled');
}
