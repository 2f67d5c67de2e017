// issue 19: extract. The review inbox's pending field suggestions, grouped by document: those of a document
// with a placement suggestion show beside it, the others as documents with only field values to review.
import { api, unwrap } from '$lib/api';
import type { FieldSuggestion } from '$lib/api/types';

export const FIELD_PAGE = 500;

export interface FieldGroup {
	document_id: number;
	first: FieldSuggestion; // its label: the document's title
	items: FieldSuggestion[];
}

/** Suggestions grouped by document, in the order they came (newest document first), fields in order. */
export function groupByDocument(items: FieldSuggestion[]): FieldGroup[] {
	const groups = new Map<number, FieldGroup>();
	for (const item of items) {
		let group = groups.get(item.document_id);
		if (!group) groups.set(item.document_id, (group = { document_id: item.document_id, first: item, items: [] }));
		group.items.push(item);
	}
	return [...groups.values()];
}

export class FieldInbox {
	items = $state<FieldSuggestion[]>([]);
	error = $state<unknown>(null);
	readonly groups = $derived(groupByDocument(this.items));

	/** Reload the pending suggestions (or clear them when the inbox shows decided placements). */
	async load(pending: boolean): Promise<void> {
		if (!pending) {
			this.items = [];
			return;
		}
		try {
			this.items = (await unwrap(api.GET('/api/library/field-suggestions', { params: { query: { limit: FIELD_PAGE } } }))).items;
			this.error = null;
		} catch (e) {
			this.error = e;
		}
	}

	of(documentId: number): FieldSuggestion[] {
		return this.groups.find((g) => g.document_id === documentId)?.items ?? [];
	}

	/** The documents whose field suggestions are not beside a placement suggestion on this page. */
	others(placed: number[]): FieldGroup[] {
		const shown = new Set(placed);
		return this.groups.filter((g) => !shown.has(g.document_id));
	}
}
