// Mail accounts and rules as the page shows them: progress, a rule's summary, form values → API bodies.
import { t } from '$lib/i18n/index.svelte';
import type { MailAccount, MailAfterAction, MailIngestMode, MailRule, MailRuleCreate } from '$lib/api/types';

export const DEFAULT_PORTS = { tls: 993, starttls: 143 } as const;

export function ingestLabel(mode: MailIngestMode): string {
	return t(`mail.ingest.${mode}`);
}

export function afterLabel(action: MailAfterAction): string {
	return t(`mail.after.${action}`);
}

/** "reading INBOX: 40 of 120" while a poll runs, else what the last poll did. */
export function progressText(account: MailAccount): string {
	const p = account.progress;
	if (p.state === 'reading') {
		return t('mail.progress.reading', { folder: p.folder ?? '', done: p.done ?? 0, total: p.total ?? '?' });
	}
	if (p.state === 'idle') {
		const parts = [t('mail.progress.ingested', { n: p.ingested ?? 0 })];
		if (p.documents_added) parts.push(t('mail.progress.documents', { n: p.documents_added }));
		if (p.failed) parts.push(t('mail.progress.failed', { n: p.failed }));
		if (p.rejected) parts.push(t('mail.progress.refused', { n: p.rejected }));
		if (p.complete === false) parts.push(t('mail.progress.continued'));
		return t('mail.progress.last', { parts: parts.join(', ') });
	}
	return t('mail.progress.never');
}

/** One line saying what a rule takes and does: "INBOX · from billing@ → attachments only, then move it to Archive". */
export function ruleSummary(rule: MailRule): string {
	const filters: string[] = [];
	if (rule.from_contains) filters.push(t('mail.rule.from', { value: rule.from_contains }));
	if (rule.to_contains) filters.push(t('mail.rule.to', { value: rule.to_contains }));
	if (rule.subject_contains) filters.push(t('mail.rule.subject', { value: rule.subject_contains }));
	if (rule.body_contains) filters.push(t('mail.rule.body', { value: rule.body_contains }));
	if (rule.has_attachment === true) filters.push(t('mailbox.withAttachments'));
	if (rule.has_attachment === false) filters.push(t('mailbox.withoutAttachments'));
	if (rule.attachment_glob) filters.push(t('mail.rule.files', { value: rule.attachment_glob }));
	if (rule.max_age_days) filters.push(t('mail.rule.days', { n: rule.max_age_days }));
	const after = rule.after_action === 'move' ? t('mail.rule.moveTo', { folder: rule.move_to ?? '' }) : afterLabel(rule.after_action);
	const assigned: string[] = [];
	if (rule.category) assigned.push(t('mail.rule.fileUnder', { value: rule.category }));
	if (rule.tags.length) assigned.push(t('mail.rule.tag', { value: rule.tags.join(', ') }));
	return t('mail.rule.summary', {
		folders: rule.folders.join(', '),
		filters: filters.join(', ') || t('mail.rule.every'),
		ingest: ingestLabel(rule.ingest),
		after,
		assigned: assigned.length ? ` · ${assigned.join(', ')}` : ''
	});
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
