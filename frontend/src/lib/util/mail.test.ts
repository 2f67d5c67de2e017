import { describe, expect, it } from 'vitest';
import type { MailAccount, MailRule } from '$lib/api/types';
import { emptyRuleForm, progressText, ruleBody, ruleSummary } from './mail';

const rule: MailRule = {
	id: 1,
	account_id: 1,
	name: 'bills',
	position: 0,
	enabled: true,
	folders: ['INBOX'],
	from_contains: 'billing@',
	to_contains: null,
	subject_contains: null,
	body_contains: null,
	has_attachment: null,
	attachment_glob: '*.pdf',
	max_age_days: null,
	ingest: 'attachments',
	after_action: 'move',
	move_to: 'Archive',
	owner_id: null,
	category: 'Finance/Bills',
	tags: ['bill']
};

describe('mail helpers', () => {
	it('summarises a rule in one line', () => {
		expect(ruleSummary(rule)).toBe(
			'INBOX · from billing@, files *.pdf → attachments only, then move it to Archive · file under Finance/Bills, tag bill'
		);
		expect(ruleSummary({ ...rule, from_contains: null, attachment_glob: null, after_action: 'none', category: null, tags: [] })).toBe(
			'INBOX · every message → attachments only, then leave it'
		);
	});

	it('shows a running poll and the last one', () => {
		const base = { progress: {} } as unknown as MailAccount;
		expect(progressText(base)).toBe('not polled yet');
		expect(progressText({ ...base, progress: { state: 'reading', folder: 'INBOX', done: 4, total: 10 } })).toBe(
			'reading INBOX: 4 of 10'
		);
		expect(
			progressText({ ...base, progress: { state: 'idle', ingested: 1, documents_added: 2, failed: 1, complete: false } })
		).toBe('last poll: 1 message ingested, 2 new documents, 1 failed, to be continued');
	});

	it('turns the form into the API body, leaving empty filters out', () => {
		const form = { ...emptyRuleForm(), name: ' bills ', from: 'billing@', after: 'move' as const, moveTo: 'Archive', tags: 'a, b,' };
		expect(ruleBody(form)).toEqual({
			name: 'bills',
			folders: ['INBOX'],
			ingest: 'attachments',
			after_action: 'move',
			from_contains: 'billing@',
			move_to: 'Archive',
			tags: ['a', 'b']
		});
		expect(ruleBody({ ...emptyRuleForm(), name: 'x', attachments: 'no', maxAge: 7.4, folders: 'INBOX, Bills' })).toEqual({
			name: 'x',
			folders: ['INBOX', 'Bills'],
			ingest: 'attachments',
			after_action: 'none',
			has_attachment: false,
			max_age_days: 7
		});
		expect(ruleBody({ ...emptyRuleForm(), name: 'y', maxAge: null }).max_age_days).toBeUndefined();
	});
});
