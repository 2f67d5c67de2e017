// What the Text tab of a document shows: its text, or why there is none (never a spinner that never ends).
import type { DocumentDetail } from '$lib/api/types';

/** The stages whose output is the document's text; a failure of one of them is why there is no text. */
export const TEXT_STAGES = ['extract', 'markdown', 'stt'] as const;

export type TextState =
	| { kind: 'ready'; markdown: string }
	| { kind: 'loading' }
	| { kind: 'processing' }
	| { kind: 'failed'; stage: string; error: string | null }
	| { kind: 'unsupported'; note: string | null }
	| { kind: 'none'; note: string | null };

type Doc = Pick<DocumentDetail, 'status' | 'has_markdown' | 'markdown_note' | 'kind' | 'stages'>;

/**
 * `markdown`: what GET …/markdown gave (null: not asked or not answered yet; the client gives undefined
 * for an empty body, which is a document whose text is empty).
 */
export function textState(doc: Doc, markdown: string | null | undefined): TextState {
	if (typeof markdown === 'string' && markdown.trim()) return { kind: 'ready', markdown };
	if (doc.has_markdown && markdown === null) return { kind: 'loading' };
	const failed = doc.stages.find((s) => s.status === 'failed' && (TEXT_STAGES as readonly string[]).includes(s.stage));
	if (failed) return { kind: 'failed', stage: failed.stage, error: failed.error ?? null };
	const textDone = doc.stages.some((s) => (s.stage === 'markdown' || s.stage === 'stt') && s.status === 'completed');
	if (!textDone && (doc.status === 'queued' || doc.status === 'processing')) return { kind: 'processing' };
	if (doc.kind === 'unknown') return { kind: 'unsupported', note: doc.markdown_note ?? null };
	return { kind: 'none', note: doc.markdown_note ?? null };
}
