// Mail accounts and rules as the page shows them: progress, a rule's summary, form values → API bodies.
import type { MailAccount, MailAfterAction, MailIngestMode, MailRule, MailRuleCreate } from '$lib/api/types';

export const DEFAULT_PORTS = { tls: 993, starttls: 143 } as const;

export const INGEST_LABELS: Record<MailIngestMode, string> = {
	attachments: 'attachments only',
	message: 'the whole message (.eml)',
	both: 'the message and its attachments, linked'
};

export const AFTER_LABELS: Record<MailAfterAction, string> = {
	none: 'leave it',
	seen: 'mark it read',
	flag: 'flag it',
	move: 'move it',
	delete: 'delete it'
};

/** "reading INBOX: 40 of 120" while a poll runs, else what the last poll did. */
export function progressText(account: MailAccount): string {
	const p = account.progress;
	if (p.state === 'reading') {
		return `reading ${p.folder ?? ''}: ${p.done ?? 0} of ${p.total ?? '?'}`;
	}
	if (p.state === 'idle') {
		const parts = [`${p.ingested ?? 0} message${p.ingested === 1 ? '' : 's'} ingested`];
		if (p.documents_added) parts.push(`${p.documents_added} new document${p.documents_added === 1 ? '' : 's'}`);
		if (p.failed) parts.push(`${p.failed} failed`);
		if (p.rejected) parts.push(`${p.rejected} refused`);
		if (p.complete === false) parts.push('to be continued');
		return `last poll: ${parts.join(', ')}`;
	}
	return 'not polled yet';
}

/** One line saying what a rule takes and does: "INBOX · from billing@ → attachments only, then move it to Archive". */
export function ruleSummary(rule: MailRule): string {
	const filters: string[] = [];
	if (rule.from_contains) filters.push(`from ${rule.from_contains}`);
	if (rule.to_contains) filters.push(`to ${rule.to_contains}`);
	if (rule.subject_contains) filters.push(`subject “${rule.subject_contains}”`);
	if (rule.body_contains) filters.push(`body “${rule.body_contains}”`);
	if (rule.has_attachment === true) filters.push('with attachments');
	if (rule.has_attachment === false) filters.push('without attachments');
	if (rule.attachment_glob) filters.push(`files ${rule.attachment_glob}`);
	if (rule.max_age_days) filters.push(`last ${rule.max_age_days} days`);
	const after = rule.after_action === 'move' ? `move it to ${rule.move_to}` : AFTER_LABELS[rule.after_action];
	const assigned: string[] = [];
	if (rule.category) assigned.push(`file under ${rule.category}`);
	if (rule.tags.length) assigned.push(`tag ${rule.tags.join(', ')}`);
	return (
		`${rule.folders.join(', ')} · ${filters.join(', ') || 'every message'} → ${INGEST_LABELS[rule.ingest]}, ` +
		`then ${after}${assigned.length ? ` · ${assigned.join(', ')}` : ''}`
	);
}

export interface RuleForm {
	name: string;
	folders: string;
	from: string;
	to: string;
	subject: string;
	body: string;
	attachments: 'any' | 'yes' | 'no';
	glob: string;
	maxAge: string | number | null;
	ingest: MailIngestMode;
	after: MailAfterAction;
	moveTo: string;
	category: string;
	tags: string;
}

export function emptyRuleForm(): RuleForm {
	return {
		name: '',
		folders: 'INBOX',
		from: '',
		to: '',
		subject: '',
		body: '',
		attachments: 'any',
		glob: '',
		maxAge: '',
		ingest: 'attachments',
		after: 'none',
		moveTo: '',
		category: '',
		tags: ''
	};
}

/** A form field's text: number inputs bound with bind:value hold numbers (or null when empty). */
export function fieldText(value: unknown): string {
	return value === null || value === undefined ? '' : String(value).trim();
}

function list(text: string): string[] {
	return text
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
}

/** The form as the API's rule body; empty fields are left out. */
export function ruleBody(form: RuleForm): MailRuleCreate {
	const body: MailRuleCreate = {
		name: form.name.trim(),
		folders: list(form.folders).length ? list(form.folders) : ['INBOX'],
		ingest: form.ingest,
		after_action: form.after
	};
	if (form.from.trim()) body.from_contains = form.from.trim();
	if (form.to.trim()) body.to_contains = form.to.trim();
	if (form.subject.trim()) body.subject_contains = form.subject.trim();
	if (form.body.trim()) body.body_contains = form.body.trim();
	if (form.attachments !== 'any') body.has_attachment = form.attachments === 'yes';
	if (form.glob.trim()) body.attachment_glob = form.glob.trim();
	if (fieldText(form.maxAge)) body.max_age_days = Math.max(1, Math.round(Number(form.maxAge)));
	if (form.after === 'move') body.move_to = form.moveTo.trim();
	if (form.category.trim()) body.category = form.category.trim();
	if (list(form.tags).length) body.tags = list(form.tags);
	return body;
}
