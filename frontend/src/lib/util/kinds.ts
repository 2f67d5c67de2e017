// A document kind in words, and in a few letters for the thumbnail placeholder (64 px wide: a long word
// would break mid-word), in the UI's language.
import { hasMessage, t } from '$lib/i18n/index.svelte';

export const KIND_SHORT_MAX = 6; // characters that fit the placeholder at its font size

export function kindShort(kind: string): string {
	const key = `kindShort.${kind}`;
	return hasMessage(key) ? t(key) : kind.slice(0, KIND_SHORT_MAX).toUpperCase();
}

export function kindLabel(kind: string): string {
	const key = `kind.${kind}`;
	return hasMessage(key) ? t(key) : kind;
}

export function statusLabel(status: string): string {
	const key = `status.${status}`;
	return hasMessage(key) ? t(key) : status.replace('_', ' ');
}
