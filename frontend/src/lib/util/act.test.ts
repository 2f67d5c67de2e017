import { beforeEach, describe, expect, it } from 'vitest';
import { toasts } from '$lib/stores/toasts.svelte';
import { actions } from './act';

describe('actions', () => {
	beforeEach(() => (toasts.items = []));

	it('is busy while the work runs, says it was done and reloads', async () => {
		const busy: boolean[] = [];
		let reloads = 0;
		const act = actions(async () => void reloads++, (b) => busy.push(b));
		expect(await act(async () => 'ok', 'Saved')).toBe(true);
		expect(busy).toEqual([true, false]);
		expect(reloads).toBe(1);
		expect(toasts.items.map((t) => [t.kind, t.text])).toEqual([['success', 'Saved']]);
	});

	it('shows what went wrong, does not reload, and is not busy afterwards', async () => {
		const busy: boolean[] = [];
		let reloads = 0;
		const act = actions(async () => void reloads++, (b) => busy.push(b));
		expect(await act(() => Promise.reject(new Error('the name is taken')), 'Saved')).toBe(false);
		expect(busy).toEqual([true, false]);
		expect(reloads).toBe(0);
		expect(toasts.items.map((t) => [t.kind, t.text])).toEqual([['error', 'the name is taken']]);
	});
});
