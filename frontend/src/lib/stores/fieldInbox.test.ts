import { describe, expect, it } from 'vitest';
import type { FieldSuggestion } from '$lib/api/types';
import { groupByDocument } from './fieldInbox.svelte';

function suggestion(id: number, document_id: number, field_slug: string): FieldSuggestion {
	return {
		id,
		document_id,
		document_title: `Doc ${document_id}`,
		original_name: null,
		field_id: id,
		field_slug,
		field_name: field_slug,
		field_type: 'date',
		options: [],
		value: '2026-03-14',
		confidence: 0.8,
		method: 'offline',
		evidence: null,
		status: 'pending',
		created_at: '2026-12-02T00:00:00Z',
		decided_at: null
	};
}

describe('groupByDocument', () => {
	it('keeps the order of documents and of their fields', () => {
		const groups = groupByDocument([suggestion(1, 9, 'amount'), suggestion(2, 9, 'due'), suggestion(3, 4, 'amount')]);
		expect(groups.map((g) => g.document_id)).toEqual([9, 4]);
		expect(groups[0]?.items.map((s) => s.field_slug)).toEqual(['amount', 'due']);
		expect(groupByDocument([])).toEqual([]);
	});
});
