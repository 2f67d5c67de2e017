// The notes under a search's results, in the UI's language. The API's `warnings` are English sentences (for the
// CLI and scripts); the ones the UI knows are read from the structured fields (`no_match`, `not_embedded`) or
// recognised and shown translated, anything else is shown as the server wrote it.
import type { MessageKey } from '$lib/i18n/en';
import type { SearchResponse } from '$lib/api/types';

export type SearchNote = { key: MessageKey; values?: Record<string, string | number> } | { text: string };

type Notable = Pick<SearchResponse, 'warnings' | 'no_match' | 'not_embedded' | 'mode'>;

const OTHER_MODEL = /^(\d+) documents? (?:has|have) vectors of another embedding model only.* with (.+)$/s;
const SEMANTIC_DOWN = /^semantic search unavailable, full-text results only: (.*)$/s;
const NO_CATEGORY = /^no category matches (['"])(.*)\1$/s;
const EMBEDDING = /^\d+ documents? (?:is|are) still being embedded/;

export function searchNotes(result: Notable): SearchNote[] {
	const notes: SearchNote[] = [];
	for (const warning of result.warnings) {
		let m: RegExpMatchArray | null;
		if (warning.startsWith('no match:') || EMBEDDING.test(warning)) continue; // from the fields below
		if (warning === 'empty query') notes.push({ key: 'search.note.emptyQuery' });
		else if ((m = warning.match(NO_CATEGORY))) notes.push({ key: 'search.note.noCategory', values: { category: m[2] ?? '' } });
		else if ((m = warning.match(SEMANTIC_DOWN))) notes.push({ key: 'search.note.semanticDown', values: { reason: m[1] ?? '' } });
		else if ((m = warning.match(OTHER_MODEL))) notes.push({ key: 'search.note.otherModel', values: { n: Number(m[1]), model: m[2] ?? '' } });
		else notes.push({ text: warning });
	}
	if (result.not_embedded > 0 && result.mode !== 'fulltext') {
		notes.push({ key: 'search.note.embedding', values: { n: result.not_embedded } });
	}
	return notes;
}
