import { describe, expect, it } from 'vitest';
import { textState } from './text';

type Stage = { stage: string; status: 'pending' | 'processing' | 'completed' | 'failed'; attempts: number; error: string | null; note: string | null; updated_at: string };
const stage = (name: string, status: Stage['status'], error: string | null = null): Stage => ({
	stage: name,
	status,
	attempts: 1,
	error,
	note: null,
	updated_at: '2026-01-01T00:00:00Z'
});
const doc = (fields: Partial<Parameters<typeof textState>[0]> = {}) => ({
	status: 'done' as const,
	has_markdown: true,
	markdown_note: null,
	kind: 'pdf' as const,
	stages: [stage('extract', 'completed'), stage('markdown', 'completed')],
	...fields
});

describe('the Text tab', () => {
	it('shows the text once it is there', () => {
		expect(textState(doc(), '# Title')).toEqual({ kind: 'ready', markdown: '# Title' });
		expect(textState(doc(), null)).toEqual({ kind: 'loading' });
	});

	it('says there is no text when the Markdown is empty (the client gives undefined for an empty body)', () => {
		// a scanned PDF whose pages gave nothing: has_markdown is true, the body is empty
		expect(textState(doc({ markdown_note: 'no text layer' }), undefined)).toEqual({ kind: 'none', note: 'no text layer' });
		expect(textState(doc(), '   \n')).toEqual({ kind: 'none', note: null });
	});

	it('says the format is not converted for an unknown binary', () => {
		const state = textState(doc({ kind: 'unknown', has_markdown: false, markdown_note: 'no converter for application/octet-stream' }), null);
		expect(state).toEqual({ kind: 'unsupported', note: 'no converter for application/octet-stream' });
	});

	it('says the text is still being made while its stage has not run', () => {
		expect(textState(doc({ status: 'processing', has_markdown: false, stages: [stage('extract', 'processing')] }), null)).toEqual({
			kind: 'processing'
		});
	});

	it('names the failed stage and its reason', () => {
		const failed = doc({ status: 'failed', has_markdown: false, stages: [stage('extract', 'completed'), stage('markdown', 'failed', 'the PDF is encrypted')] });
		expect(textState(failed, null)).toEqual({ kind: 'failed', stage: 'markdown', error: 'the PDF is encrypted' });
	});
});
