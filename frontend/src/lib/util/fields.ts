// Custom fields in the UI: a value shown as text, a value from an input for PUT …/fields, what a field
// accepts in the user's language, and the documents list's field filters (slug<op>value).
import { ApiProblem } from '$lib/api/client';
import type { CustomField, FieldType } from '$lib/api/types';
import { t } from '$lib/i18n/index.svelte';

export const FILTER_OPS = [':', '=', '!=', '>', '>=', '<', '<='] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

export interface Money {
	amount: string;
	currency: string;
}

export function isMoney(value: unknown): value is Money {
	return typeof value === 'object' && value !== null && 'amount' in value && 'currency' in value;
}

/** A value as the list and the panel show it. */
export function formatFieldValue(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (isMoney(value)) {
		const n = Number(value.amount);
		return `${Number.isFinite(n) ? n.toLocaleString() : value.amount} ${value.currency}`;
	}
	if (typeof value === 'boolean') return value ? t('fields.yes') : t('fields.no');
	return String(value);
}

/** What a field accepts, in the user's language. */
export function acceptedText(field: Pick<CustomField, 'type' | 'options' | 'pattern'>): string {
	if (field.type === 'select' && field.options.length) return t('fields.accepts.select', { options: field.options.join(', ') });
	if (field.type === 'text' && field.pattern) return t('fields.accepts.pattern', { pattern: field.pattern });
	return t(`fields.accepts.${field.type}`);
}

/** The 422 of a field value or filter, in the user's language: which field, and what it accepts. */
export function fieldErrorText(error: unknown, fields: CustomField[]): string | null {
	if (!(error instanceof ApiProblem) || !error.field) return null;
	const field = fields.find((f) => f.slug === error.field);
	if (!field) return t('fields.unknownField', { slug: error.field, known: fields.map((f) => f.slug).join(', ') || '—' });
	return t('fields.invalidValue', { name: field.name, accepted: acceptedText(field) });
}

/** An input's text → the raw value PUT takes (null: clear). Types the API parses from text go as text. */
export function rawValue(type: FieldType, text: string, currency = ''): unknown {
	const trimmed = text.trim();
	if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : null;
	if (trimmed === '') return null;
	if (type === 'money') return currency.trim() ? { amount: trimmed, currency: currency.trim().toUpperCase() } : trimmed;
	return type === 'long_text' ? text : trimmed;
}

/** A stored value → the input's text (and a money value's currency). */
export function inputText(value: unknown): { text: string; currency: string } {
	if (value === null || value === undefined) return { text: '', currency: '' };
	if (isMoney(value)) return { text: value.amount, currency: value.currency };
	return { text: String(value), currency: '' };
}

export function fieldFilter(slug: string, op: FilterOp, value: string): string {
	return `${slug}${op}${value.trim()}`;
}

const FILTER = /^([a-z][a-z0-9_]{0,39})(!=|>=|<=|=|>|<|:)(.*)$/s;

export function splitFilter(filter: string): { slug: string; op: FilterOp; value: string } | null {
	const m = FILTER.exec(filter);
	return m ? { slug: m[1] ?? '', op: m[2] as FilterOp, value: m[3] ?? '' } : null;
}

export function opsFor(type: FieldType): FilterOp[] {
	if (type === 'boolean' || type === 'select' || type === 'url') return [':', '!='];
	return [...FILTER_OPS];
}
