import { describe, expect, it } from 'vitest';
import { searchNotes } from './searchNotes';

const base = { warnings: [] as string[], no_match: false, not_embedded: 0, mode: 'hybrid' as const };

describe('search notes', () => {
	it('reads the embedding backlog from the field, not the English sentence', () => {
		const notes = searchNotes({
			...base,
			not_embedded: 3,
			warnings: ['3 documents are still being embedded (found by their words, not yet by meaning); results may change']
		});
		expect(notes).toEqual([{ key: 'search.note.embedding', values: { n: 3 } }]);
	});

	it('says nothing of the backlog in full-text mode', () => {
		expect(searchNotes({ ...base, mode: 'fulltext', not_embedded: 2 })).toEqual([]);
	});

	it('leaves the no-match sentence to the no-match state', () => {
		const warnings = ['no match: no document contains these words, and none is close enough in meaning; try other words'];
		expect(searchNotes({ ...base, no_match: true, warnings })).toEqual([]);
	});

	it('recognises the known warnings and keeps their values', () => {
		const notes = searchNotes({
			...base,
			warnings: [
				"no category matches 'Finance/Tax'",
				'semantic search unavailable, full-text results only: connection refused',
				'1 document has vectors of another embedding model only and is found by words, not meaning: run `docmill queue run-all embed` to embed it with usem3',
				'empty query'
			]
		});
		expect(notes).toEqual([
			{ key: 'search.note.noCategory', values: { category: 'Finance/Tax' } },
			{ key: 'search.note.semanticDown', values: { reason: 'connection refused' } },
			{ key: 'search.note.otherModel', values: { n: 1, model: 'usem3' } },
			{ key: 'search.note.emptyQuery' }
		]);
	});

	it('shows an unknown warning as the server wrote it', () => {
		expect(searchNotes({ ...base, warnings: ['something new'] })).toEqual([{ text: 'something new' }]);
	});
});
