// The Rules page's builder rows ⇄ the API's typed conditions and actions (one flat row per item, so a
// form can edit any kind with the same few inputs).
import type { WorkflowRule, WorkflowRuleIn } from '$lib/api/types';

export const CONDITION_TYPES = [
	'text_contains',
	'text_regex',
	'source',
	'kind',
	'media_type',
	'name_glob',
	'category',
	'tag',
	'field',
	'owner'
] as const;
export const ACTION_TYPES = [
	'set_category',
	'add_tags',
	'remove_tags',
	'set_fields',
	'set_owner',
	'share',
	'accept_placement',
	'apply_suggestions',
	'webhook'
] as const;
export const TRIGGERS = ['added', 'processed', 'updated', 'scheduled'] as const;
export const SOURCES = ['upload', 'inbox', 'cli', 'news', 'mail'] as const;
export const FIELD_OPS = ['=', '!=', '>', '<', 'empty', 'not_empty'] as const;

export type ConditionType = (typeof CONDITION_TYPES)[number];
export type ActionType = (typeof ACTION_TYPES)[number];

/** One builder row: `text` is the main input, `extra` a second one (field value, permission), `flag` a checkbox. */
export interface Row {
	type: string;
	text: string;
	extra: string;
	op: string;
	flag: boolean;
}

export function emptyRow(type: string): Row {
	return { type, text: '', extra: type === 'share' ? 'view' : '', op: '=', flag: false };
}

const list = (text: string): string[] =>
	text
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);

type Json = Record<string, unknown>;

function fieldValue(text: string): unknown {
	const trimmed = text.trim();
	if (trimmed === 'true') return true;
	if (trimmed === 'false') return false;
	return trimmed;
}

export function conditionOf(row: Row): Json {
	switch (row.type) {
		case 'kind':
			return { type: 'kind', kinds: list(row.text) };
		case 'media_type':
			return { type: 'media_type', media_types: list(row.text) };
		case 'source':
			return { type: 'source', sources: list(row.text) };
		case 'name_glob':
		case 'text_regex':
			return { type: row.type, pattern: row.text };
		case 'text_contains':
			return { type: 'text_contains', text: row.text };
		case 'category':
			return { type: 'category', path: row.text || '-', prefix: row.flag };
		case 'tag':
			return { type: 'tag', tag: row.text, absent: row.flag };
		case 'field':
			return row.op === 'empty' || row.op === 'not_empty'
				? { type: 'field', field: row.text, op: row.op }
				: { type: 'field', field: row.text, op: row.op, value: fieldValue(row.extra) };
		case 'owner':
			return { type: 'owner', usernames: list(row.text) };
	}
	return { type: row.type };
}

export function actionOf(row: Row): Json {
	switch (row.type) {
		case 'set_category':
			return { type: 'set_category', path: row.text };
		case 'add_tags':
		case 'remove_tags':
			return { type: row.type, tags: list(row.text) };
		case 'set_fields':
			return { type: 'set_fields', values: { [row.text.trim()]: row.extra.trim() === '' ? null : fieldValue(row.extra) } };
		case 'set_owner':
			return { type: 'set_owner', username: row.text.trim() };
		case 'share':
			return { type: 'share', username: row.text.trim(), permission: row.extra || 'view' };
		case 'apply_suggestions':
			return list(row.text).length ? { type: 'apply_suggestions', fields: list(row.text) } : { type: 'apply_suggestions' };
		case 'webhook':
			return { type: 'webhook', url: row.text.trim() };
	}
	return { type: row.type };
}

const joined = (v: unknown): string => (Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : '');

/** A stored condition or action back into a row (the inverse of conditionOf / actionOf). */
export function rowOf(item: Json): Row {
	const row = emptyRow(String(item.type));
	const first = ['kinds', 'media_types', 'sources', 'pattern', 'text', 'path', 'tag', 'field', 'usernames', 'tags', 'username', 'url', 'fields'];
	for (const key of first) {
		if (key in item && item[key] !== null && item[key] !== undefined) {
			row.text = joined(item[key]);
			break;
		}
	}
	if (item.type === 'share' && typeof item.group === 'string') row.text = item.group;
	if (item.type === 'category') row.flag = Boolean(item.prefix);
	if (item.type === 'tag') row.flag = Boolean(item.absent);
	if (item.type === 'field') {
		row.op = String(item.op);
		row.extra = item.value === undefined || item.value === null ? '' : typeof item.value === 'object' ? JSON.stringify(item.value) : String(item.value);
	}
	if (item.type === 'share') row.extra = String(item.permission ?? 'view');
	if (item.type === 'set_fields' && item.values && typeof item.values === 'object') {
		const [slug, value] = Object.entries(item.values as Json)[0] ?? ['', ''];
		row.text = slug;
		row.extra = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
	}
	return row;
}

export interface Draft {
	name: string;
	enabled: boolean;
	trigger: string;
	sources: string[];
	schedule_minutes: number | null;
	match: string;
	conditions: Row[];
	actions: Row[];
}

export function emptyDraft(): Draft {
	return {
		name: '',
		enabled: true,
		trigger: 'processed',
		sources: [],
		schedule_minutes: null,
		match: 'all',
		conditions: [emptyRow('text_contains')],
		actions: [emptyRow('set_category')]
	};
}

export function draftOf(rule: WorkflowRule): Draft {
	return {
		name: rule.name,
		enabled: rule.enabled,
		trigger: rule.trigger,
		sources: [...rule.sources],
		schedule_minutes: rule.schedule_minutes ?? null,
		match: rule.match,
		conditions: rule.conditions.map((c) => rowOf(c as unknown as Json)),
		actions: rule.actions.map((a) => rowOf(a as unknown as Json))
	};
}

export function bodyOf(draft: Draft): WorkflowRuleIn {
	return {
		name: draft.name.trim(),
		enabled: draft.enabled,
		trigger: draft.trigger,
		sources: draft.trigger === 'added' ? draft.sources : [],
		schedule_minutes: draft.trigger === 'scheduled' ? draft.schedule_minutes : null,
		match: draft.match,
		conditions: draft.conditions.map(conditionOf),
		actions: draft.actions.map(actionOf)
	} as unknown as WorkflowRuleIn;
}
