import { describe, expect, it } from 'vitest';
import { paramsOf, viewHref, viewQueryOf } from './viewQuery';

describe('saved view queries', () => {
	it('keeps the list parameters, repeated ones as lists, without the page', () => {
		const params = new URLSearchParams('tag=a&tag=b&sort=title&offset=50&field=amount%3E100');
		expect(viewQueryOf(params)).toEqual({ tag: ['a', 'b'], sort: 'title', field: 'amount>100' });
	});
	it('round-trips to the same address', () => {
		const query = { tag: ['a', 'b'], category: 'Finance/Bills' };
		expect(viewQueryOf(paramsOf(query))).toEqual(query);
		expect(viewHref(query)).toBe('/documents?tag=a&tag=b&category=Finance%2FBills');
		expect(viewHref({})).toBe('/documents');
	});
});
