// Numbers, sizes, durations and dates for display, in the UI's language (lib/i18n).
import { locale, t } from '$lib/i18n/index.svelte';

const numberFormats = new Map<string, Intl.NumberFormat>();

function numbers(digits: number): Intl.NumberFormat {
	const id = `${locale()}:${digits}`;
	let format = numberFormats.get(id);
	if (!format) {
		format = new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits });
		numberFormats.set(id, format);
	}
	return format;
}

export function formatCount(n: number): string {
	return numbers(0).format(n);
}

export function formatBytes(bytes: number): string {
	if (!Number.isFinite(bytes) || bytes < 0) return '–';
	if (bytes < 1024) return `${formatCount(bytes)} B`;
	const units = ['KB', 'MB', 'GB', 'TB'];
	let value = bytes / 1024;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return `${numbers(value < 10 ? 1 : 0).format(value)} ${units[unit]}`;
}

/** A duration in seconds, short: "0 s", "42 s", "3 min 5 s", "2 h 10 min", "3 d 4 h" (in Korean "3분 5초"). */
export function formatDuration(seconds: number): string {
	if (!Number.isFinite(seconds) || seconds < 0) return '–';
	const s = Math.floor(seconds);
	if (s < 60) return t('unit.s', { n: s });
	const m = Math.floor(s / 60);
	if (m < 60) return s % 60 ? t('unit.minS', { m, s: s % 60 }) : t('unit.min', { n: m });
	const h = Math.floor(m / 60);
	if (h < 24) return m % 60 ? t('unit.hMin', { h, m: m % 60 }) : t('unit.h', { n: h });
	const d = Math.floor(h / 24);
	return h % 24 ? t('unit.dH', { d, h: h % 24 }) : t('unit.d', { n: d });
}

/** The largest unit of a duration only: "5 min", "3 h". */
function roughDuration(seconds: number): string {
	const s = Math.floor(seconds);
	if (s < 60) return t('unit.s', { n: s });
	const m = Math.floor(s / 60);
	if (m < 60) return t('unit.min', { n: m });
	const h = Math.floor(m / 60);
	if (h < 24) return t('unit.h', { n: h });
	return t('unit.d', { n: Math.floor(h / 24) });
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
	return date.toLocaleString(locale(), { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatDate(iso: string | null | undefined): string {
	if (!iso) return '–';
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? '–' : date.toLocaleDateString(locale(), { dateStyle: 'medium' });
}

/** "just now", "5 min ago", "in 3 h" relative to `now`. */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
	if (!iso) return '–';
	const at = Date.parse(iso);
	if (Number.isNaN(at)) return '–';
	const diff = (at - now) / 1000;
	if (Math.abs(diff) < 10) return t('time.justNow');
	const time = roughDuration(Math.abs(diff));
	return diff < 0 ? t('time.ago', { time }) : t('time.in', { time });
}

export function formatPercent(value: number | null | undefined): string {
	if (value === null || value === undefined || !Number.isFinite(value)) return '–';
	return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(value);
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
	return doc.title?.trim() || doc.document_title?.trim() || doc.original_name?.trim() || (id !== undefined ? t('document.fallbackTitle', { id: String(id) }) : t('document.untitled'));
}
