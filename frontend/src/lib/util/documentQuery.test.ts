import { describe, expect, it } from 'vitest';
import { documentQueryParams, hasFilters, PAGE_SIZE, parseDocumentQuery } from './documentQuery';

describe('document list query', () => {
	it('parses the address into API filters', () => {
		const q = parseDocumentQuery(
			new URLSearchParams('q=%20invoice%20&kind=pdf&kind=image&kind=pdf&status=failed&category=Finance&tag=2024&sort=title&offset=30')
		);
		expect(q).toEqual({
			limit: PAGE_SIZE,
			offset: 30,
			q: 'invoice',
			kind: ['pdf', 'image'],
			status: 'failed',
			category: 'Finance',
			tag: ['2024'],
			sort: 'title'
		});
		expect(hasFilters(q)).toBe(true);
	});

	it('ignores values the API would refuse', () => {
		const q = parseDocumentQuery(new URLSearchParams('kind=spreadsheetz&status=odd&sort=price&offset=-4&uncategorized=yes'));
		expect(q).toEqual({ limit: PAGE_SIZE, offset: 0 });
		expect(hasFilters(q)).toBe(false);
	});

	it('writes filters back without defaults, and round-trips', () => {
		const q = parseDocumentQuery(new URLSearchParams('uncategorized=true&deleted=true&sort=-created_at'));
		const params = documentQueryParams(q);
		expect(params.toString()).toBe('uncategorized=true&deleted=true');
		expect(parseDocumentQuery(params)).toEqual(q);
		const korean = parseDocumentQuery(new URLSearchParams({ q: '회의록', tag: '예산' }));
		expect(parseDocumentQuery(documentQueryParams(korean))).toEqual(korean);
	});
	it('keeps custom field filters, columns and field sorts in the address', () => {
		const q = parseDocumentQuery(new URLSearchParams('field=amount>100000&field=due:empty&fields=amount,due&sort=-field:due'));
		expect(q.field).toEqual(['amount>100000', 'due:empty']);
		expect(q.fields).toBe('amount,due');
		expect(q.sort).toBe('-field:due');
		expect(hasFilters(q)).toBe(true);
		expect(parseDocumentQuery(documentQueryParams(q))).toEqual(q);
		expect(parseDocumentQuery(new URLSearchParams('sort=field:Bad!')).sort).toBeUndefined();
	});
});
