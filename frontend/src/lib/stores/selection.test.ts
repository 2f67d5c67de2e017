import { describe, expect, it } from 'vitest';
import { Selection } from './selection.svelte';

describe('Selection', () => {
	it('ticks rows, all of them, and forgets rows that left the list', () => {
		const s = new Selection<number>();
		const rows = [1, 2, 3];
		expect(s.state(rows)).toBe('none');
		s.toggle(2);
		expect(s.state(rows)).toBe('some');
		s.toggleAll(rows);
		expect([s.state(rows), s.size]).toEqual(['all', 3]);
		s.toggleAll(rows);
		expect(s.size).toBe(0);
		s.toggle(1);
		s.toggle(3);
		s.retain([3, 4]);
		expect(s.values()).toEqual([3]);
		s.clear();
		expect(s.state([])).toBe('none');
	});
});
