import { describe, expect, it } from 'vitest';
import { documentKindValues } from '$lib/api/types';
import { setLocale } from '$lib/i18n/index.svelte';
import { KIND_SHORT_MAX, kindShort } from './kinds';

describe('kind labels on thumbnails', () => {
	it('fit the placeholder for every kind, so none breaks mid-word', () => {
		for (const kind of documentKindValues) {
			const label = kindShort(kind);
			expect(label.length, `${kind} → ${label}`).toBeLessThanOrEqual(KIND_SHORT_MAX);
			expect(label).not.toContain(' ');
		}
		expect(kindShort('spreadsheet')).toBe('SHEET');
	});
	it('fit in Korean too', () => {
		setLocale('ko', false);
		try {
			for (const kind of documentKindValues) expect(kindShort(kind).length).toBeLessThanOrEqual(KIND_SHORT_MAX);
			expect(kindShort('spreadsheet')).toBe('표');
		} finally {
			setLocale('en', false);
		}
	});
	it('shortens a kind this version does not know', () => {
		expect(kindShort('hologram').length).toBeLessThanOrEqual(KIND_SHORT_MAX);
	});
});
