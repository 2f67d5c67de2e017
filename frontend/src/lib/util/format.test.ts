import { describe, expect, it } from 'vitest';
import { setLocale } from '$lib/i18n/index.svelte';
import { documentLabel, formatBytes, formatClock, formatCount, formatDate, formatDuration, formatPercent, formatRelative } from './format';

describe('format', () => {
	it('durations', () => {
		expect(formatDuration(0)).toBe('0 s');
		expect(formatDuration(42.7)).toBe('42 s');
		expect(formatDuration(185)).toBe('3 min 5 s');
		expect(formatDuration(120)).toBe('2 min');
		expect(formatDuration(2 * 3600 + 600)).toBe('2 h 10 min');
		expect(formatDuration(3 * 86400 + 4 * 3600)).toBe('3 d 4 h');
		expect(formatDuration(-1)).toBe('–');
		expect(formatDuration(Number.NaN)).toBe('–');
	});

	it('media positions', () => {
		expect(formatClock(7.9)).toBe('0:07');
		expect(formatClock(725)).toBe('12:05');
		expect(formatClock(3723)).toBe('1:02:03');
		expect(formatClock(-3)).toBe('0:00');
	});

	it('sizes', () => {
		expect(formatBytes(512)).toBe('512 B');
		expect(formatBytes(92971)).toBe('91 KB');
		expect(formatBytes(1536)).toBe('1.5 KB');
		expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
	});

	it('relative times', () => {
		const now = Date.parse('2025-01-01T12:00:00Z');
		expect(formatRelative('2025-01-01T11:59:55Z', now)).toBe('just now');
		expect(formatRelative('2025-01-01T11:55:00Z', now)).toBe('5 min ago');
		expect(formatRelative('2025-01-01T15:00:00Z', now)).toBe('in 3 h');
		expect(formatRelative(null, now)).toBe('–');
	});

	it('percentages and labels', () => {
		expect(formatPercent(0.873)).toBe('87%');
		expect(formatPercent(null)).toBe('–');
		expect(documentLabel({ id: 3, title: '  ', original_name: '보고서.pdf' })).toBe('보고서.pdf');
		expect(documentLabel({ id: 3, title: null, original_name: null })).toBe('Document 3');
		expect(documentLabel({ document_id: 8, title: 'AutoGen' })).toBe('AutoGen');
	});

	it('names a failure by its document title, not its id', () => {
		const failure = { queue_id: 9, document_id: 43, document_title: 'Quarterly report.pdf', stage: 'markdown' };
		expect(documentLabel(failure)).toBe('Quarterly report.pdf');
		expect(documentLabel({ document_id: 43, document_title: null })).toBe('Document 43');
	});

	it('speaks Korean when the UI does', () => {
		setLocale('ko', false);
		try {
			const now = Date.parse('2025-01-01T12:00:00Z');
			expect(formatDuration(185)).toBe('3분 5초');
			expect(formatRelative('2025-01-01T11:55:00Z', now)).toBe('5분 전');
			expect(formatRelative('2025-01-01T15:00:00Z', now)).toBe('3시간 후');
			expect(formatCount(1234567)).toBe('1,234,567');
			expect(documentLabel({ id: 3, title: null })).toBe('문서 3');
			expect(formatDate('2025-03-04T00:00:00Z')).toMatch(/2025\. 3\. 4\./);
		} finally {
			setLocale('en', false);
		}
	});
});
