import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Toasts } from './toasts.svelte';

describe('Toasts', () => {
	beforeEach(() => vi.useFakeTimers());
	afterEach(() => vi.useRealTimers());

	it('dismisses information by itself, keeps errors until dismissed', () => {
		const toasts = new Toasts(1000);
		toasts.show('saved', 'success');
		const error = toasts.show('failed', 'error');
		vi.advanceTimersByTime(1500);
		expect(toasts.items.map((t) => t.text)).toEqual(['failed']);
		toasts.dismiss(error);
		expect(toasts.items).toEqual([]);
	});

	it('keeps at most five', () => {
		const toasts = new Toasts(1000);
		for (let i = 0; i < 8; i++) toasts.show(`m${i}`, 'error');
		expect(toasts.items.map((t) => t.text)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
	});
});
